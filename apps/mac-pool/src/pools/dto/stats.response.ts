import { ApiProperty } from '@nestjs/swagger';
import { StateCountsDto } from './pool.response';

export class PoolStatsDto {
  @ApiProperty() name: string;
  @ApiProperty() priority: number;
  @ApiProperty({ type: StateCountsDto }) counts: StateCountsDto;
}

/** MAC counts per pool (in try order) and over all pools. */
export class StatsResponseDto {
  @ApiProperty({ type: [PoolStatsDto] }) pools: PoolStatsDto[];
  @ApiProperty({ type: StateCountsDto }) totals: StateCountsDto;
}
