import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/platform';
import { HistoryQueryDto, MappedPropertiesDto, MappingTestDto, MappingVersionDto } from './dto/mapping.dto';
import { MappingService } from './mapping.service';

@ApiTags('mapping')
@ApiBearerAuth()
// PUT /v1/mapping (store, and optionally apply now) and the preview live in the provisioning
// module's MappingRolloutController: applying re-provisions users.
@Controller('v1/mapping')
export class MappingController {
  constructor(private readonly mapping: MappingService) {}

  @Get()
  @Roles('reader')
  @ApiOkResponse({ type: MappingVersionDto })
  current(): Promise<MappingVersionDto> {
    return this.mapping.current();
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
