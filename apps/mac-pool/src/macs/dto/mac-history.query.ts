import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

export class MacHistoryQuery {
  // Read as a time by the service, which names a bad one invalid_time.
  @ApiPropertyOptional({ description: 'ISO 8601 time: answers which port held the MAC then' })
  @IsOptional()
  @IsString()
  at?: string;
}
