import { Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '@app/platform';
import { ReconcileReportDto } from './dto/reconcile-report.response';
import { ReconcileQuery } from './dto/reconcile.query';
import { ReconcileService } from './reconcile.service';

@ApiTags('reconcile')
@ApiBearerAuth()
@Controller('v1/reconcile')
export class ReconcileController {
  constructor(private readonly reconcile: ReconcileService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: "Compare allocations with Neutron's ports: release orphans, commit lost commits, report mismatches" })
  @ApiOkResponse({ type: ReconcileReportDto })
  run(@Query() query: ReconcileQuery, @CurrentPrincipal() actor: Principal): Promise<ReconcileReportDto> {
    return this.reconcile.run(query.dryRun ?? false, actor.name);
  }
}
