import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/platform';
import { UsageQuery } from './dto/usage.query';
import { UsageResponseDto } from './dto/usage.response';
import { UsageService } from './usage.service';

@ApiTags('macs')
@ApiBearerAuth()
@Controller('v1/usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: 'Allocations, releases and MACs held by ports per hour or day, from the MAC history' })
  @ApiOkResponse({ type: UsageResponseDto })
  get(@Query() query: UsageQuery): Promise<UsageResponseDto> {
    return this.usage.series(query.bucket, query.buckets, query.pool);
  }
}
