import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/platform';
import { StatsResponseDto } from './dto/stats.response';
import { PoolService } from './pool.service';

@ApiTags('pools')
@ApiBearerAuth()
@Controller('v1/stats')
export class StatsController {
  constructor(private readonly pools: PoolService) {}

  @Get()
  @Roles('reader')
  @ApiOkResponse({ type: StatsResponseDto })
  stats(): Promise<StatsResponseDto> {
    return this.pools.stats();
  }
}
