import { ApiProperty } from '@nestjs/swagger';

/** MAC counts by state. */
export class StateCountsDto {
  @ApiProperty() free: number;
  @ApiProperty() reserved: number;
  @ApiProperty() allocated: number;
  @ApiProperty() quarantined: number;
  @ApiProperty() total: number;
}

export class PoolScopeResponseDto {
  @ApiProperty({ type: [String], description: 'empty = any network' }) networkIds: string[];
  @ApiProperty({ type: [String], description: 'empty = any project' }) projectIds: string[];
  @ApiProperty({ type: [String], description: 'empty = any zone' }) availabilityZones: string[];
}

/** A pool with the counts of its MACs. */
export class PoolResponseDto {
  @ApiProperty() id: number;
  @ApiProperty({ example: 'cnaf-tier1' }) name: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: PoolScopeResponseDto }) scope: PoolScopeResponseDto;
  @ApiProperty() priority: number;
  @ApiProperty() quarantineSeconds: number;
  @ApiProperty() reservationTtlSeconds: number;
  @ApiProperty() allowUniversal: boolean;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
  @ApiProperty({ type: StateCountsDto }) counts: StateCountsDto;
}
