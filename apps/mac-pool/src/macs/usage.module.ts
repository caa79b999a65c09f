import { Module } from '@nestjs/common';
import { UsageController } from './usage.controller';
import { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';
import { PoolsModule } from '../pools/pools.module';

/** Usage over time (the console's second chart), read from the MAC history. */
@Module({ imports: [PoolsModule], controllers: [UsageController], providers: [UsageRepository, UsageService] })
export class UsageModule {}
