import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString } from 'class-validator';
import type { UserChange } from '../../mapping/mapping-preview';
import type { ApplyRun, ApplyRunStatus } from '../apply-run.repository';
import type { MappingPreview } from '../mapping-rollout.service';

/** PUT /v1/mapping?comment=…&apply=now&dryRun=true */
export class ReplaceMappingQueryDto {
  @ApiPropertyOptional({ description: 'why the rules change, kept in the history' })
  @IsOptional()
  @IsString()
  comment?: string;

  @ApiPropertyOptional({
    enum: ['now'],
    description: 'now: re-provision every known user under the new rules at once (default: each at their next login)',
  })
  @IsOptional()
  @IsIn(['now'])
  apply?: 'now';

  @ApiPropertyOptional({ description: 'with apply=now: store nothing, change nothing, answer the preview' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  dryRun?: boolean;
}

export class UserChangeDto implements UserChange {
  @ApiProperty({ example: 'alice@infn.it' })
  user: string;

  @ApiProperty({ type: [String], example: ['project cms: role member'] })
  gained: string[];

  @ApiProperty({ type: [String], example: ['group lhcb-users'] })
  lost: string[];

  @ApiPropertyOptional({ description: 'the candidate rules refuse this user: why' })
  refused?: string;

  @ApiProperty()
  losesAllAccess: boolean;
}

/** POST /v1/mapping/preview: who gains and loses what, against what the bridge granted. */
export class MappingPreviewDto implements MappingPreview {
  @ApiProperty({ description: 'known users compared (with stored attributes)' })
  users: number;

  @ApiProperty({ description: 'known users whose attributes were dropped (retention): compared at their next login' })
  skipped: number;

  @ApiProperty()
  changed: number;

  @ApiProperty({ description: 'grants gained, over all users' })
  gained: number;

  @ApiProperty({ description: 'grants lost, over all users' })
  lost: number;

  @ApiProperty({ type: [String] })
  loseAllAccess: string[];

  @ApiProperty({ type: [String] })
  refused: string[];

  @ApiProperty({
    type: [String],
    description: 'attributes the candidate rules read that the bridge does not keep: invisible to the preview',
  })
  unknownAttributes: string[];

  @ApiProperty({ type: [UserChangeDto] })
  changes: UserChangeDto[];

  @ApiProperty()
  milliseconds: number;
}

export class ApplyRunDto implements ApplyRun {
  @ApiProperty()
  id: number;

  @ApiProperty()
  mappingVersion: number;

  @ApiProperty()
  actor: string;

  @ApiProperty({ enum: ['running', 'done', 'failed'] })
  status: ApplyRunStatus;

  @ApiProperty({ type: String, nullable: true })
  cursor: string | null;

  @ApiProperty()
  total: number;

  @ApiProperty()
  processed: number;

  @ApiProperty()
  granted: number;

  @ApiProperty()
  revoked: number;

  @ApiProperty()
  skipped: number;

  @ApiProperty({ type: [String], description: 'Keystone ids of users a failure left as before (a resume retries them)' })
  failedUsers: string[];

  @ApiProperty({ type: String, nullable: true })
  error: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  startedAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  heartbeatAt: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt: Date | null;
}
