import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsObject } from 'class-validator';
import type { ProvisionResult } from '../provisioning.service';

/** POST /v1/provisioning: the attributes a login would bring. */
export class ProvisionDto {
  @ApiProperty({
    example: { eduPersonPrincipalName: 'alice@infn.it', isMemberOf: 'infn:cms' },
    description: 'attributes as a login would bring them (several values joined with ;)',
  })
  @IsDefined()
  @IsObject()
  assertion: Record<string, string>;
}

class ProvisionedUserDto {
  @ApiProperty({ description: 'Keystone user id' })
  id: string;

  @ApiProperty({ example: 'alice@infn.it' })
  name: string;

  @ApiProperty()
  domainId: string;

  @ApiProperty({ description: 'made by this call' })
  created: boolean;
}

/** A project with the roles the mapping gives on it (also in GET /me). */
export class ProvisionedProjectDto {
  @ApiProperty({ description: 'Keystone project id' })
  id: string;

  @ApiProperty({ example: 'cms' })
  name: string;

  @ApiProperty({ type: [String], example: ['member'] })
  roles: string[];
}

export class ProvisionedGroupDto {
  @ApiProperty({ description: 'Keystone group id' })
  id: string;

  @ApiProperty({ example: 'cms-users' })
  name: string;
}

class KeystoneCallsDto {
  @ApiProperty()
  read: number;

  @ApiProperty()
  write: number;

  @ApiProperty({ description: "token issuance for the bridge's own admin token" })
  auth: number;
}

/** What provisioning did: the user, what the mapping gives them, what changed in Keystone. */
export class ProvisionResultDto implements ProvisionResult {
  @ApiProperty({ type: ProvisionedUserDto })
  user: ProvisionedUserDto;

  @ApiProperty({ type: [ProvisionedProjectDto] })
  projects: ProvisionedProjectDto[];

  @ApiProperty({ type: [ProvisionedGroupDto] })
  groups: ProvisionedGroupDto[];

  @ApiProperty({ type: [String], example: ['project cms: role member'], description: 'grants made now' })
  granted: string[];

  @ApiProperty({ type: [String], example: ['group lhcb-users'], description: "the bridge's earlier grants taken back now" })
  revoked: string[];

  @ApiProperty({ type: KeystoneCallsDto, description: 'Keystone API calls this provisioning made' })
  keystoneCalls: KeystoneCallsDto;
}
