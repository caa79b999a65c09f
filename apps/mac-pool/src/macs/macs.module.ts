import { Module } from '@nestjs/common';
import { HousekeepingModule } from '@app/platform/housekeeping/housekeeping.module';
import { HistoryRetentionJob } from './history-retention.job';
import { MacController } from './mac.controller';
import { MacRepository } from './mac.repository';
import { MacService } from './mac.service';

@Module({ imports: [HousekeepingModule], controllers: [MacController], providers: [MacRepository, MacService, HistoryRetentionJob] })
export class MacsModule {}
