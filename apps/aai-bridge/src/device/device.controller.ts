import { Body, Controller, Get, HttpCode, Post, Query, Res, UseInterceptors } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/platform';
import { DEVICE_GRANT_TYPE, DeviceFlowService, DevicePage } from './device-flow.service';
import { DeviceCodeAnswerDto, DeviceCodeRequestDto, DeviceDecisionDto, DeviceQueryDto, DeviceTokenRequestDto } from './dto/device.dto';
import { CurrentSession, SessionInterceptor } from '../session/current-session';
import { ActiveSession } from '../session/session.service';

/** The device flow's endpoints: two for the CLI (RFC 8628 JSON), two pages for the browser. */
@ApiTags('device')
@Public()
@Controller('device')
export class DeviceController {
  constructor(private readonly device: DeviceFlowService) {}

  @Post('code')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start a CLI login: a device code to poll with and a user code to approve in a browser' })
  @ApiOkResponse({ type: DeviceCodeAnswerDto })
  async code(@Body() dto: DeviceCodeRequestDto, @Res({ passthrough: true }) res: Response): Promise<DeviceCodeAnswerDto> {
    res.set('Cache-Control', 'no-store');
    return this.device.start({ project: dto.project, cloud: dto.cloud });
  }

  @Post('token')
  @ApiOperation({
    summary: "Poll: RFC 8628's errors (authorization_pending, slow_down, ...) until approved, then an application credential",
  })
  async token(@Body() dto: DeviceTokenRequestDto, @Res() res: Response): Promise<void> {
    res.set('Cache-Control', 'no-store');
    if (dto.grant_type !== DEVICE_GRANT_TYPE) {
      res.status(400).json({ error: 'unsupported_grant_type', error_description: `grant_type must be ${DEVICE_GRANT_TYPE}` });
      return;
    }
    if (!dto.device_code) {
      res.status(400).json({ error: 'invalid_request', error_description: 'device_code is missing' });
      return;
    }
    const answer = await this.device.token(dto.device_code);
    if (answer.ok) res.status(200).json(answer.credential);
    else res.status(400).json({ error: answer.error, error_description: answer.description });
  }

  @Get()
  @UseInterceptors(SessionInterceptor)
  @ApiOperation({ summary: 'Browser: enter or confirm the code the CLI printed (log in first)' })
  @ApiProduces('text/html')
  async page(@Query() query: DeviceQueryDto, @CurrentSession() session: ActiveSession | null, @Res() res: Response): Promise<void> {
    send(res, await this.device.verificationPage(session, query.user_code));
  }

  @Post()
  @UseInterceptors(SessionInterceptor)
  @ApiOperation({ summary: 'Browser: approve the code for a project, or refuse it' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiProduces('text/html')
  async decide(@Body() form: DeviceDecisionDto, @CurrentSession() session: ActiveSession | null, @Res() res: Response): Promise<void> {
    send(res, await this.device.decide(session, form));
  }
}

function send(res: Response, page: DevicePage): void {
  res.set('Cache-Control', 'no-store');
  if ('loginFirst' in page) res.redirect(302, page.loginFirst);
  else
    res
      .status(page.status ?? 200)
      .type('html')
      .send(page.html);
}
