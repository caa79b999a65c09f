import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/platform';
import { MacSearchQuery } from './dto/mac-search.query';
import { MacSearchResponseDto } from './dto/mac-search.response';
import { MacSearchService } from './mac-search.service';

@ApiTags('macs')
@ApiBearerAuth()
@Roles('reader')
@Controller('v1/macs')
export class MacSearchController {
  constructor(private readonly search: MacSearchService) {}

  @Get()
  @ApiOperation({ summary: 'MACs by hostname (now), or by a port, device or project that holds or held them (now and in the history)' })
  @ApiOkResponse({ type: MacSearchResponseDto })
  find(@Query() query: MacSearchQuery): Promise<MacSearchResponseDto> {
    return this.search.search(query.by, query.value);
  }
}
