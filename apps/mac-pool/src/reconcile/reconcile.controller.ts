import { Controller, HttpCode, ParseBoolPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '@app/platform';
import { ReconcileService } from './reconcile.service';

@ApiTags('reconcile')
@ApiBearerAuth()
@Controller('v1/reconcile')
export class ReconcileController {
  constructor(private readonly reconcile: ReconcileService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: "Compare allocations with Neutron's ports: release orphans, commit lost commits, report mismatches" })
  @ApiQuery({ name: 'dryRun', required: false, type: Boolean })
  run(@Query('dryRun', new ParseBoolPipe({ optional: true })) dryRun: boolean | undefined, @CurrentPrincipal() actor: Principal) {
    return this.reconcile.run(dryRun ?? false, actor.name);
  }
}
