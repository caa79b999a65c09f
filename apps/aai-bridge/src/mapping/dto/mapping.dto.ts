import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsInt, IsObject, IsOptional, Max, Min } from 'class-validator';
import type { MappingVersion } from '../mapping.repository';

// PUT /v1/mapping takes Keystone's format as is ({"rules": [...]} or a bare list of rules): the
// Keystone-compatible validator checks it and names each problem by path (422), which a class
// DTO could not do for a bare list. Hence no body class for it.

/** POST /v1/mapping/test */
export class MappingTestDto {
  @ApiPropertyOptional({ description: 'rules to try ({rules: [...]} or a list); default: the stored ones' })
  @IsOptional()
  rules?: unknown;

  @ApiProperty({
    example: { eduPersonPrincipalName: 'alice@infn.it', isMemberOf: 'infn:cms;infn:lhcb' },
    description: "Keystone's input: attribute → value, several joined with ;",
  })
  @IsDefined()
  @IsObject()
  assertion: Record<string, string>;
}

/** GET /v1/mapping/history?limit=… */
export class HistoryQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** One stored version of the rules. */
export class MappingVersionDto implements MappingVersion {
  @ApiProperty({ example: 3 })
  version: number;

  @ApiProperty({ type: 'array', items: { type: 'object' }, description: "the rules, Keystone's format" })
  rules: MappingVersion['rules'];

  @ApiProperty({ description: 'name of the token that stored them', example: 'admin' })
  actor: string;

  @ApiProperty({ type: String, nullable: true })
  comment: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;
}

class MappedRoleDto {
  @ApiProperty({ example: 'member' })
  name: string;
}

class MappedProjectDto {
  @ApiProperty({ example: 'cms' })
  name: string;

  @ApiProperty({ type: [MappedRoleDto] })
  roles: MappedRoleDto[];
}

class MappedDomainDto {
  @ApiPropertyOptional()
  id?: string;

  @ApiPropertyOptional()
  name?: string;
}

class MappedGroupDto {
  @ApiProperty()
  name: string;

  @ApiProperty({ type: MappedDomainDto })
  domain: MappedDomainDto;
}

/** What Keystone's mapping engine yields for an assertion (the output of keystone-manage mapping_engine). */
export class MappedPropertiesDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { name: 'alice@infn.it', email: 'alice@cnaf.infn.it', type: 'ephemeral' },
    description: 'name, id, email, domain, type (ephemeral or local)',
  })
  user: { name?: string; id?: string; email?: string; domain?: { id?: string; name?: string }; type: string; [k: string]: unknown };

  @ApiProperty({ type: [String] })
  group_ids: string[];

  @ApiProperty({ type: [MappedGroupDto] })
  group_names: MappedGroupDto[];

  @ApiProperty({ type: [MappedProjectDto] })
  projects: MappedProjectDto[];
}
