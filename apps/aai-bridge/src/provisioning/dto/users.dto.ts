import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, MaxLength, Min, Max } from 'class-validator';
import type { FederatedUserView, FederatedUsersPage, UserGrant } from '../federated-users.service';
import { DormantUserDto } from './dormant.dto';

/** GET /v1/users?limit=&offset=&q= */
export class UsersQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;

  @ApiPropertyOptional({ description: 'only users whose name contains this (case-insensitive)', maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  q?: string;
}

export class UserGrantDto implements UserGrant {
  @ApiProperty({ enum: ['role', 'group'] })
  kind: 'role' | 'group';

  @ApiProperty({ description: 'Keystone ids: "<projectId>/<roleId>" for a role, "<groupId>" for a group' })
  target: string;

  @ApiProperty({ example: 'project cms: role member', description: 'the names of the target' })
  label: string;

  @ApiProperty({ type: String, format: 'date-time' })
  grantedAt: Date;

  @ApiProperty({ type: String, format: 'date-time', description: 'the last login (or provisioning) that yielded it again' })
  refreshedAt: Date;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'refreshedAt + AAI_GRANT_EXPIRY_DAYS: the hourly sweep revokes it after this unless a login refreshes it; null when grants do not expire',
  })
  expiresAt: Date | null;
}

/** A federated user: the dormant listing's fields (dormantSince null while active), plus the grants. */
export class FederatedUserDto extends DormantUserDto implements FederatedUserView {
  @ApiProperty({ type: [UserGrantDto], description: 'what the bridge granted (never what others granted in Keystone)' })
  grants: UserGrantDto[];
}

export class FederatedUsersPageDto implements FederatedUsersPage {
  @ApiProperty({ type: [FederatedUserDto] })
  users: FederatedUserDto[];

  @ApiProperty({ description: 'users matching the filter, over every page' })
  total: number;

  @ApiProperty()
  limit: number;

  @ApiProperty()
  offset: number;
}
