import { Body, Controller, Delete, Get, HttpCode, Param, ParseBoolPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@app/platform';
import { CreatePoolDto, UpdatePoolDto } from './pool.dto';
import { PoolService } from './pool.service';

@ApiTags('pools')
@ApiBearerAuth()
@Controller('v1/pools')
export class PoolController {
  constructor(private readonly pools: PoolService) {}

  @Post()
  create(@Body() dto: CreatePoolDto, @CurrentPrincipal() actor: Principal) {
    return this.pools.create(dto, actor);
  }

  @Get()
  @Roles('reader', 'hook')
  list() {
    return this.pools.list();
  }

  @Get(':name')
  @Roles('reader', 'hook')
  get(@Param('name') name: string) {
    return this.pools.get(name);
  }

  @Patch(':name')
  update(@Param('name') name: string, @Body() dto: UpdatePoolDto, @CurrentPrincipal() actor: Principal) {
    return this.pools.update(name, dto, actor);
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiQuery({ name: 'force', required: false, type: Boolean })
  async delete(
    @Param('name') name: string,
    @Query('force', new ParseBoolPipe({ optional: true })) force: boolean | undefined,
    @CurrentPrincipal() actor: Principal,
  ) {
    await this.pools.delete(name, force ?? false, actor);
  }
}
