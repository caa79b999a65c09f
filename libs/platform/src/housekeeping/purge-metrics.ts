import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '../metrics/metrics';

/** What the purge jobs did: rows deleted per table, and rounds run or skipped per job. */
@Injectable()
export class PurgeMetrics {
  private readonly rowsPurged;
  private readonly rounds;

  constructor(metrics: MetricsRegistry) {
    this.rowsPurged = metrics.counter('housekeeping_rows_purged_total', 'rows deleted by the purge jobs, by table', ['table'] as const);
    // skipped: the other node held the job's lock, so this node left the round to it.
    this.rounds = metrics.counter('housekeeping_rounds_total', 'purge rounds by job and outcome (purged, skipped)', [
      'job',
      'outcome',
    ] as const);
  }

  purged(table: string, rows: number): void {
    this.rowsPurged.inc({ table }, rows);
  }

  round(job: string, outcome: 'purged' | 'skipped'): void {
    this.rounds.inc({ job, outcome });
  }
}
