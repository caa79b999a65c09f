import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, ParseIdPipe, Principal } from '@app/platform';
import { ApplyRunDto, MappingPreviewDto, ReplaceMappingQueryDto } from './dto/rollout.dto';
import { MappingRolloutService } from './mapping-rollout.service';
import { MappingVersionDto } from '../mapping/dto/mapping.dto';
import { MappingService } from '../mapping/mapping.service';

const EXAMPLE_RULES = { rules: [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'eduPersonPrincipalName' }] }] };

/** Changing the rules: stored for the next logins, previewed over every known user, or applied now. */
@ApiTags('mapping')
@ApiBearerAuth()
@Controller('v1/mapping')
export class MappingRolloutController {
  constructor(
    private readonly mapping: MappingService,
    private readonly rollout: MappingRolloutService,
  ) {}

  @Put()
  @ApiOperation({
    summary:
      'Replace the mapping rules (Keystone format); the old ones stay in the history. apply=now: also re-provision every known user now (202 with the run); with dryRun=true: only the preview',
  })
  @ApiBody({ schema: { type: 'object', example: EXAMPLE_RULES } })
  @ApiOkResponse({ type: MappingVersionDto })
  @ApiAcceptedResponse({ description: 'apply=now: { version, run } (the run goes on in the background)' })
  async replace(
    @Body() rules: unknown,
    @Query() query: ReplaceMappingQueryDto,
    @CurrentPrincipal() actor: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MappingVersionDto | MappingPreviewDto | { version: MappingVersionDto; run: ApplyRunDto }> {
    if (query.apply !== 'now') return this.mapping.replace(rules, actor, query.comment);
    const outcome = await this.rollout.applyNow(rules, actor, query.comment, query.dryRun ?? false);
    if (outcome.dryRun) return outcome.preview;
    res.status(202);
    return { version: outcome.version, run: outcome.run };
  }

  @Post('preview')
  @HttpCode(200)
  @ApiOperation({ summary: 'Who would gain and lose which projects, roles and groups under these rules (against what the bridge granted)' })
  @ApiBody({ schema: { type: 'object', example: EXAMPLE_RULES } })
  @ApiOkResponse({ type: MappingPreviewDto })
  preview(@Body() rules: unknown): Promise<MappingPreviewDto> {
    return this.rollout.preview(rules);
  }

  @Get('apply-runs')
  @ApiOkResponse({ type: [ApplyRunDto] })
  runs(): Promise<ApplyRunDto[]> {
    return this.rollout.list();
  }

  @Get('apply-runs/:id')
  @ApiOkResponse({ type: ApplyRunDto })
  run(@Param('id', ParseIdPipe) id: number): Promise<ApplyRunDto> {
    return this.rollout.run(id);
  }

  @Post('apply-runs/:id/resume')
  @HttpCode(202)
  @ApiOperation({ summary: 'Resume a failed or abandoned run: its failed users first, then on from where it stopped' })
  @ApiOkResponse({ type: ApplyRunDto })
  resume(@Param('id', ParseIdPipe) id: number, @CurrentPrincipal() actor: Principal): Promise<ApplyRunDto> {
    return this.rollout.resume(id, actor);
  }
}
