import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { PeriodicTask } from '@app/platform';
import { HousekeepingService, PurgeRound } from '@app/platform/housekeeping/housekeeping.service';
import { MacPoolConfig } from '../config';
import { MacRepository } from './mac.repository';

export const HISTORY_RETENTION_LOCK_KEY = 0x6d6163686973; // "machis"

/** Deletes MAC history older than MACPOOL_HISTORY_RETENTION_DAYS (0, the default: kept forever, no job), one node at a time. */
@Injectable()
export class HistoryRetentionJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly stopping = new AbortController();
  private readonly task = new PeriodicTask('history retention', () => this.runOnce());

  constructor(
    private readonly housekeeping: HousekeepingService,
    private readonly macs: MacRepository,
    @Inject(MacPoolConfig) private readonly config: MacPoolConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.MACPOOL_HISTORY_RETENTION_DAYS > 0) this.task.start(this.config.HOUSEKEEPING_INTERVAL_SECONDS * 1000);
  }

  async runOnce(): Promise<PurgeRound> {
    // 0 deletes nothing, even when called directly: "older than 0 days" would be everything.
    if (this.config.MACPOOL_HISTORY_RETENTION_DAYS === 0) return { skipped: false, purged: {} };
    return this.housekeeping.purgeRound(
      { name: 'history retention', lockKey: HISTORY_RETENTION_LOCK_KEY },
      [
        {
          table: 'mac_history',
          purgeBatch: (limit) => this.macs.purgeHistoryOlderThan(this.config.MACPOOL_HISTORY_RETENTION_DAYS, limit),
        },
      ],
      this.stopping.signal,
    );
  }

  onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    return this.task.stop();
  }
}
