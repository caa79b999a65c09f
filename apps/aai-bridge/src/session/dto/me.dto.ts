import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class SessionProjectDto {
  @ApiProperty({ description: 'Keystone project id' })
  id: string;

  @ApiProperty({ example: 'cms' })
  name: string;

  @ApiProperty({ type: [String], example: ['member'] })
  roles: string[];
}

export class SessionGroupDto {
  @ApiProperty({ description: 'Keystone group id' })
  id: string;

  @ApiProperty({ example: 'cms-users' })
  name: string;
}

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

  @ApiProperty({ type: [SessionProjectDto] })
  projects: SessionProjectDto[];

  @ApiProperty({ type: [SessionGroupDto] })
  groups: SessionGroupDto[];

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
