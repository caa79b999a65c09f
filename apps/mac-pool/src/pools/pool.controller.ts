import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@app/platform';
import { CreatePoolDto } from './dto/create-pool.dto';
import { DeletePoolQuery } from './dto/delete-pool.query';
import { PoolResponseDto } from './dto/pool.response';
import { UpdatePoolDto } from './dto/update-pool.dto';
import { PoolService } from './pool.service';

@ApiTags('pools')
@ApiBearerAuth()
@Controller('v1/pools')
export class PoolController {
  constructor(private readonly pools: PoolService) {}

  @Post()
  @ApiCreatedResponse({ type: PoolResponseDto })
  create(@Body() dto: CreatePoolDto, @CurrentPrincipal() actor: Principal): Promise<PoolResponseDto> {
    return this.pools.create(dto, actor);
  }

  @Get()
  @Roles('reader')
  @ApiOkResponse({ type: [PoolResponseDto] })
  list(): Promise<PoolResponseDto[]> {
    return this.pools.list();
  }

  @Get(':name')
  @Roles('reader')
  @ApiOkResponse({ type: PoolResponseDto })
  get(@Param('name') name: string): Promise<PoolResponseDto> {
    return this.pools.get(name);
  }

  @Patch(':name')
  @ApiOkResponse({ type: PoolResponseDto })
  update(@Param('name') name: string, @Body() dto: UpdatePoolDto, @CurrentPrincipal() actor: Principal): Promise<PoolResponseDto> {
    return this.pools.update(name, dto, actor);
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'deleted, with its MACs' })
  async delete(@Param('name') name: string, @Query() query: DeletePoolQuery, @CurrentPrincipal() actor: Principal): Promise<void> {
    await this.pools.delete(name, query.force ?? false, actor);
  }
}
