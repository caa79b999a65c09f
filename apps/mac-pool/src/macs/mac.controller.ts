import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/platform';
import { MacService } from './mac.service';

@ApiTags('macs')
@ApiBearerAuth()
@Roles('reader', 'hook')
@Controller('v1/macs')
export class MacController {
  constructor(private readonly macs: MacService) {}

  @Get(':mac')
  get(@Param('mac') mac: string) {
    return this.macs.get(mac);
  }

  @Get(':mac/history')
  @ApiQuery({ name: 'at', required: false, description: 'ISO 8601 time: answers which port held the MAC then' })
  history(@Param('mac') mac: string, @Query('at') at?: string) {
    return this.macs.history(mac, at);
  }
}
