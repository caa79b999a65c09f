import { Body, Controller, Get, HttpStatus, Post, Query, Res, UseInterceptors } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiError, Public } from '@app/platform';
import { CloudsYamlFormDto, WebSsoQueryDto } from './dto/handoff.dto';
import { HandoffService, PageOrLogin } from './handoff.service';
import { CurrentSession, SessionInterceptor } from '../session/current-session';
import { ActiveSession } from '../session/session.service';

/** Hands the logged-in user a Keystone token: to Horizon (WebSSO) or as a clouds.yaml for the CLI. */
@ApiTags('handoff')
@Public()
@UseInterceptors(SessionInterceptor)
@Controller()
export class HandoffController {
  constructor(private readonly handoff: HandoffService) {}

  @Get('websso')
  @ApiOperation({ summary: "Keystone's WebSSO shape: after login, POST an unscoped token to the trusted dashboard" })
  @ApiProduces('text/html')
  async websso(@Query() query: WebSsoQueryDto, @CurrentSession() session: ActiveSession | null, @Res() res: Response) {
    send(res.set('Cache-Control', 'no-store'), await this.handoff.webSso(query.origin, session));
  }

  @Get('cli')
  @ApiOperation({ summary: 'Your projects and roles, and a clouds.yaml with an application credential' })
  @ApiProduces('text/html')
  cli(@CurrentSession() session: ActiveSession | null, @Res() res: Response) {
    send(res.set('Cache-Control', 'no-store'), this.handoff.cliPage(session));
  }

  @Post('cli/clouds.yaml')
  @ApiOperation({ summary: 'An application credential for the project, as a clouds.yaml (shown once)' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiProduces('application/yaml')
  async cloudsYaml(@Body() form: CloudsYamlFormDto, @CurrentSession() session: ActiveSession | null, @Res() res: Response) {
    if (!session) throw new ApiError(HttpStatus.UNAUTHORIZED, 'not_logged_in', 'log in at /saml/login first');
    const yaml = await this.handoff.cloudsYaml(session, form);
    res
      .status(200)
      .type('application/yaml')
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', 'attachment; filename="clouds.yaml"')
      .send(yaml);
  }
}

function send(res: Response, page: PageOrLogin): void {
  if ('loginFirst' in page) res.redirect(302, page.loginFirst);
  else res.status(200).type('html').send(page.html);
}
