import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/platform';
import { emptyCounts } from './pool';
import { PoolService } from './pool.service';

@ApiTags('pools')
@ApiBearerAuth()
@Controller('v1/stats')
export class StatsController {
  constructor(private readonly pools: PoolService) {}

  @Get()
  @Roles('reader', 'hook')
  async stats() {
    const pools = await this.pools.list();
    const totals = emptyCounts();
    for (const p of pools) for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += p.counts[k];
    return { pools: pools.map((p) => ({ name: p.name, priority: p.priority, counts: p.counts })), totals };
  }
}
