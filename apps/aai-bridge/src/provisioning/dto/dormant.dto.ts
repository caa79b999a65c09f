import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { SweepResult } from '../dormancy.service';
import type { DormantUser } from '../federated-user.repository';

/** GET /v1/users/dormant?limit=… */
export class DormantUsersQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 10000, default: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  limit?: number;
}

export class DormantUserDto implements DormantUser {
  @ApiProperty()
  keystoneUserId: string;

  @ApiProperty({ example: 'alice@infn.it' })
  userName: string;

  @ApiProperty({ type: String, nullable: true, description: 'entityID of the IdP of the last login' })
  idp: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  lastSeenAt: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  dormantSince: Date | null;
}

export class SweepResultDto implements SweepResult {
  @ApiProperty({ type: [String], description: 'users disabled now' })
  disabled: string[];

  @ApiProperty({ type: [String], description: 'users deleted now' })
  deleted: string[];

  @ApiProperty({ description: 'users whose stored attributes were dropped (retention)' })
  attributesDropped: number;
}
