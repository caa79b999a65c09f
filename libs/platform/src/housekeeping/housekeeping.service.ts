import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AdvisoryLockRepository } from './advisory-lock.repository';
import { PurgeMetrics } from './purge-metrics';

/** One table's purge: deletes at most `limit` rows that can no longer matter, returns how many it deleted. */
export interface PurgeTarget {
  table: string;
  purgeBatch(limit: number): Promise<number>;
}

export interface PurgeJob {
  name: string;
  /** Advisory-lock key: any constant, the same on every node, distinct per job. */
  lockKey: number;
}

export type PurgeRound = { skipped: true } | { skipped: false; purged: Record<string, number> };

/**
 * Purges in bounded batches (short transactions, no long lock on a busy table) under a per-job
 * advisory lock: one node purges, the other skips the round rather than queueing behind it.
 */
@Injectable()
export class HousekeepingService {
  private readonly logger = new Logger(HousekeepingService.name);
  private readonly batchRows: number;

  constructor(
    private readonly locks: AdvisoryLockRepository,
    private readonly metrics: PurgeMetrics,
    config: ConfigService,
  ) {
    this.batchRows = config.get<number>('HOUSEKEEPING_BATCH_ROWS') ?? 1000;
  }

  /** `stop` ends the round between two batches (shutdown must not wait for a long backlog). */
  async purgeRound(job: PurgeJob, targets: PurgeTarget[], stop?: AbortSignal): Promise<PurgeRound> {
    const run = await this.locks.runIfFree(job.lockKey, async () => {
      const purged: Record<string, number> = {};
      for (const target of targets) {
        purged[target.table] = 0;
        while (!stop?.aborted) {
          const n = await target.purgeBatch(this.batchRows);
          purged[target.table] += n;
          this.metrics.purged(target.table, n);
          // A short batch means nothing old enough is left.
          if (n < this.batchRows) break;
        }
      }
      return purged;
    });
    if (!run.ran) {
      this.metrics.round(job.name, 'skipped');
      return { skipped: true };
    }
    this.metrics.round(job.name, 'purged');
    if (Object.values(run.result).some((n) => n > 0)) this.logger.log({ job: job.name, purged: run.result }, 'purged');
    return { skipped: false, purged: run.result };
  }
}
