import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/platform';
import { MacHistoryQuery } from './dto/mac-history.query';
import { MacHistoryResponseDto } from './dto/mac-history.response';
import { MacRecordDto } from './dto/mac.response';
import { MacService } from './mac.service';

@ApiTags('macs')
@ApiBearerAuth()
@Roles('reader')
@Controller('v1/macs')
export class MacController {
  constructor(private readonly macs: MacService) {}

  @Get(':mac')
  @ApiOkResponse({ type: MacRecordDto })
  get(@Param('mac') mac: string): Promise<MacRecordDto> {
    return this.macs.get(mac);
  }

  @Get(':mac/history')
  @ApiOkResponse({ type: MacHistoryResponseDto })
  history(@Param('mac') mac: string, @Query() query: MacHistoryQuery): Promise<MacHistoryResponseDto> {
    return this.macs.history(mac, query.at);
  }
}
