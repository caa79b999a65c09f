import { Body, Controller, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@app/platform';
import { HistoryQueryDto, MappedPropertiesDto, MappingTestDto, MappingVersionDto, ReplaceMappingQueryDto } from './dto/mapping.dto';
import { MappingService } from './mapping.service';

@ApiTags('mapping')
@ApiBearerAuth()
@Controller('v1/mapping')
export class MappingController {
  constructor(private readonly mapping: MappingService) {}

  @Get()
  @Roles('reader')
  @ApiOkResponse({ type: MappingVersionDto })
  current(): Promise<MappingVersionDto> {
    return this.mapping.current();
  }

  @Put()
  @ApiOperation({ summary: 'Replace the mapping rules (Keystone format); the old ones stay in the history' })
  @ApiBody({
    schema: { type: 'object', example: { rules: [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'eduPersonPrincipalName' }] }] } },
  })
  @ApiOkResponse({ type: MappingVersionDto })
  replace(
    @Body() rules: unknown,
    @Query() query: ReplaceMappingQueryDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<MappingVersionDto> {
    return this.mapping.replace(rules, actor, query.comment);
  }

  @Get('history')
  @Roles('reader')
  @ApiOkResponse({ type: [MappingVersionDto] })
  history(@Query() query: HistoryQueryDto): Promise<MappingVersionDto[]> {
    return this.mapping.history(query.limit);
  }

  @Post('test')
  @HttpCode(200)
  @Roles('reader')
  @ApiOperation({ summary: 'Dry run: what keystone-manage mapping_engine would print for this assertion' })
  @ApiOkResponse({ type: MappedPropertiesDto })
  test(@Body() dto: MappingTestDto): Promise<MappedPropertiesDto> {
    return this.mapping.test(dto.rules, dto.assertion);
  }
}
