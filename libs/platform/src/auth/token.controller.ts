import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { CurrentPrincipal } from './current-principal';
import { Principal, Role, SERVICE_ROLES } from './roles';
import { TokenRepository } from './token.repository';
import { AuditRepository } from '../audit/audit.repository';
import { isUniqueViolation } from '../database/unique-violation';
import { ApiError } from '../errors/api-error';

class CreateTokenDto {
  @ApiProperty({ example: 'neutron-hook' })
  @Matches(/^[A-Za-z0-9_.@-]{1,64}$/, { message: 'name must be 1-64 letters, digits, _ . @ -' })
  name: string;

  @ApiProperty({ description: "one of the service's roles (admin, and e.g. hook or reader)" })
  @IsString()
  role: Role;
}

/** Admin-only management of bearer tokens; a token is shown once, at creation. */
@ApiTags('tokens')
@ApiBearerAuth()
@Controller('v1/tokens')
export class TokenController {
  constructor(
    private readonly tokens: TokenRepository,
    private readonly audit: AuditRepository,
    @Inject(SERVICE_ROLES) private readonly roles: readonly Role[],
  ) {}

  @Post()
  async create(@Body() dto: CreateTokenDto, @CurrentPrincipal() actor: Principal) {
    if (!this.roles.includes(dto.role)) throw ApiError.badRequest('invalid_role', `role must be one of ${this.roles.join(', ')}`);
    try {
      const token = await this.tokens.create(dto.name, dto.role);
      await this.audit.record({ actor: actor.name, action: 'token.create', target: dto.name, details: { role: dto.role } });
      return { name: dto.name, role: dto.role, token };
    } catch (err) {
      if (isUniqueViolation(err)) throw ApiError.conflict('token_exists', `a token named ${dto.name} exists`);
      throw err;
    }
  }

  @Get()
  list() {
    return this.tokens.list();
  }

  @Delete(':name')
  @HttpCode(204)
  async remove(@Param('name') name: string, @CurrentPrincipal() actor: Principal) {
    if (!(await this.tokens.remove(name))) throw ApiError.notFound('token_not_found', `no token named ${name}`);
    await this.audit.record({ actor: actor.name, action: 'token.delete', target: name });
  }
}
