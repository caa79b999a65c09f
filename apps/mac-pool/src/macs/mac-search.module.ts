import { Module } from '@nestjs/common';
import { MacSearchController } from './mac-search.controller';
import { MacSearchRepository } from './mac-search.repository';
import { MacSearchService } from './mac-search.service';

/** Finding MACs by hostname, port, device or project (the console's search). */
@Module({ controllers: [MacSearchController], providers: [MacSearchRepository, MacSearchService] })
export class MacSearchModule {}
