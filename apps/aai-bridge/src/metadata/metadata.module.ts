import { Module } from '@nestjs/common';
import { MetadataCacheRepository } from './metadata-cache.repository';
import { MetadataFetchClient } from './metadata-fetch.client';
import { MetadataController } from './metadata.controller';
import { MetadataService } from './metadata.service';

/** The federation's metadata: which IdPs the bridge trusts, with their keys, names and scopes. */
@Module({
  controllers: [MetadataController],
  providers: [MetadataCacheRepository, MetadataFetchClient, MetadataService],
  exports: [MetadataService],
})
export class MetadataModule {}
