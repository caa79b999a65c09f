import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { UsageBucket } from '../usage';

/** GET /v1/usage?bucket=day&buckets=30&pool=… */
export class UsageQuery {
  @ApiPropertyOptional({ enum: ['hour', 'day'], default: 'day' })
  @IsOptional()
  @IsIn(['hour', 'day'])
  bucket?: UsageBucket;

  @ApiPropertyOptional({ minimum: 1, maximum: 744, description: 'how many buckets up to now (default: 30 days or 48 hours)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(744)
  buckets?: number;

  @ApiPropertyOptional({ description: 'one pool (default: all)' })
  @IsOptional()
  @IsString()
  pool?: string;
}
