import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AuditRepository } from './audit.repository';
import { HousekeepingService, PurgeRound } from '../housekeeping/housekeeping.service';
import { PeriodicTask } from '../periodic-task';

/** The same on every node and in both services: when they share a database they share one audit_log. */
export const AUDIT_RETENTION_LOCK_KEY = 0x6175646974; // "audit"

/** Deletes audit entries older than AUDIT_RETENTION_DAYS (0, the default: kept forever, no job). */
@Injectable()
export class AuditRetentionJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly stopping = new AbortController();
  private readonly task = new PeriodicTask('audit retention', () => this.runOnce());
  private readonly days: number;
  private readonly intervalSeconds: number;

  constructor(
    private readonly housekeeping: HousekeepingService,
    private readonly audit: AuditRepository,
    config: ConfigService,
  ) {
    this.days = config.get<number>('AUDIT_RETENTION_DAYS') ?? 0;
    this.intervalSeconds = config.get<number>('HOUSEKEEPING_INTERVAL_SECONDS') ?? 3600;
  }

  onApplicationBootstrap(): void {
    if (this.days > 0) this.task.start(this.intervalSeconds * 1000);
  }

  async runOnce(): Promise<PurgeRound> {
    // 0 deletes nothing, even when called directly: "older than 0 days" would be everything.
    if (this.days === 0) return { skipped: false, purged: {} };
    return this.housekeeping.purgeRound(
      { name: 'audit retention', lockKey: AUDIT_RETENTION_LOCK_KEY },
      [{ table: 'audit_log', purgeBatch: (limit) => this.audit.purgeOlderThan(this.days, limit) }],
      this.stopping.signal,
    );
  }

  onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    return this.task.stop();
  }
}
