import { ApiProperty } from '@nestjs/swagger';

export class UsagePointDto {
  @ApiProperty({ description: 'start of the bucket (UTC-aligned)' }) start: Date;
  @ApiProperty({ description: 'MACs handed to ports (reservations) in the bucket' }) allocations: number;
  @ApiProperty({ description: 'MACs given back (releases and lapsed reservations) in the bucket' }) releases: number;
  @ApiProperty({ description: 'MACs held by ports (reserved or allocated) at the end of the bucket; the last: now' }) held: number;
}

/** Usage over time, oldest bucket first, read from the MAC history. */
export class UsageResponseDto {
  @ApiProperty({ enum: ['hour', 'day'] }) bucket: 'hour' | 'day';
  @ApiProperty({ type: String, nullable: true, description: 'the pool asked for; null: all pools' }) pool: string | null;
  @ApiProperty({ type: [UsagePointDto] }) series: UsagePointDto[];
}
