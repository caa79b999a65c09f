import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/platform';
import { FederatedUsersPageDto, UsersQueryDto } from './dto/users.dto';
import { FederatedUsersService } from './federated-users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: FederatedUsersService) {}

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: 'The federated users the bridge knows, by name: IdP, last seen, dormant since, and the grants it made' })
  @ApiOkResponse({ type: FederatedUsersPageDto })
  list(@Query() query: UsersQueryDto): Promise<FederatedUsersPageDto> {
    return this.users.list({ q: query.q, limit: query.limit ?? 100, offset: query.offset ?? 0 });
  }
}
