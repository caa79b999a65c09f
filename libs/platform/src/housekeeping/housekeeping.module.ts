import { Module } from '@nestjs/common';
import { AdvisoryLockRepository } from './advisory-lock.repository';
import { HousekeepingService } from './housekeeping.service';
import { PurgeMetrics } from './purge-metrics';
import { AuditRetentionJob } from '../audit/audit-retention.job';

/**
 * Batched purges under per-job advisory locks. The platform imports it for the audit log; a
 * feature module imports it for its own tables' purge jobs (one instance either way).
 */
@Module({
  providers: [AdvisoryLockRepository, PurgeMetrics, HousekeepingService, AuditRetentionJob],
  exports: [HousekeepingService],
})
export class HousekeepingModule {}
