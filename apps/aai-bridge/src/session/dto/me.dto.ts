import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ProvisionedGroupDto, ProvisionedProjectDto } from '../../provisioning/dto/provision.dto';

/** GET /me: the mapped identity of the logged-in user, as the login left it. */
export class MeDto {
  @ApiProperty()
  keystoneUserId: string;

  @ApiProperty({ example: 'alice@infn.it' })
  userName: string;

  @ApiProperty()
  domainId: string;

  @ApiPropertyOptional()
  email?: string;

  @ApiPropertyOptional()
  displayName?: string;

  @ApiProperty({ type: [ProvisionedProjectDto] })
  projects: ProvisionedProjectDto[];

  @ApiProperty({ type: [ProvisionedGroupDto] })
  groups: ProvisionedGroupDto[];

  @ApiProperty({
    description: "the IdP's attributes, friendly names, every value a list",
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    example: { eduPersonPrincipalName: ['alice@infn.it'], isMemberOf: ['infn:cms'] },
  })
  attributes: Record<string, string[]>;

  @ApiProperty({ type: String, format: 'date-time' })
  sessionExpiresAt: Date;
}
