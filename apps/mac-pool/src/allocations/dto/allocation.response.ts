import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A port's MAC: reserved until committed (or until it expires), then allocated. */
export class AllocationResponseDto {
  @ApiProperty() portId: string;
  @ApiProperty({ example: '02:00:00:00:00:01' }) mac: string;
  @ApiProperty({ description: 'the pool the MAC belongs to' }) pool: string;
  @ApiProperty({ enum: ['reserved', 'allocated'] }) state: 'reserved' | 'allocated';
  @ApiPropertyOptional({ description: 'registered with the MAC in the upload' }) hostname?: string;
  @ApiPropertyOptional({ description: 'registered with the MAC in the upload' }) ipv4?: string;
  @ApiPropertyOptional({ description: 'registered with the MAC in the upload' }) ipv6?: string;
  @ApiProperty({ type: Date, nullable: true, description: 'when an uncommitted reservation lapses; null once allocated' })
  expiresAt: Date | null;
}

export class BatchAllocationResponseDto {
  @ApiProperty({ type: [AllocationResponseDto], description: 'in the order of the request' })
  allocations: AllocationResponseDto[];
}
