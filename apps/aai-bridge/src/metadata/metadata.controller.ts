import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/platform';
import { MetadataService, MetadataSourceStatus } from './metadata.service';

@ApiTags('metadata')
@ApiBearerAuth()
@Controller('v1/metadata')
export class MetadataController {
  constructor(private readonly metadata: MetadataService) {}

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: 'The metadata sources: age, validUntil, signer, entity count, last error' })
  list(): MetadataSourceStatus[] {
    return this.metadata.status();
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-read every metadata source now (a refused copy keeps the last good one)' })
  refresh(): Promise<MetadataSourceStatus[]> {
    return this.metadata.refreshNow();
  }
}
