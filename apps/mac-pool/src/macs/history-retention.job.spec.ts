import { HousekeepingService, PurgeTarget } from '@app/platform/housekeeping/housekeeping.service';
import { MacPoolConfig } from '../config';
import { HistoryRetentionJob } from './history-retention.job';
import { MacRepository } from './mac.repository';

function build(days: number) {
  const housekeeping = {
    purgeRound: jest.fn(async (_job: unknown, targets: PurgeTarget[]) => {
      for (const t of targets) await t.purgeBatch(500);
      return { skipped: false, purged: {} };
    }),
  };
  const macs = { purgeHistoryOlderThan: jest.fn(async () => 0) };
  const job = new HistoryRetentionJob(
    housekeeping as unknown as HousekeepingService,
    macs as unknown as MacRepository,
    { MACPOOL_HISTORY_RETENTION_DAYS: days, HOUSEKEEPING_INTERVAL_SECONDS: 3600 } as MacPoolConfig,
  );
  return { job, housekeeping, macs };
}

describe('HistoryRetentionJob', () => {
  it('deletes nothing with the default 0 (keep forever), even when run by hand', async () => {
    const { job, housekeeping, macs } = build(0);
    await job.runOnce();
    expect(housekeeping.purgeRound).not.toHaveBeenCalled();
    expect(macs.purgeHistoryOlderThan).not.toHaveBeenCalled();
  });

  it('purges mac_history past MACPOOL_HISTORY_RETENTION_DAYS under its own lock', async () => {
    const { job, housekeeping, macs } = build(30);
    await job.runOnce();
    expect(housekeeping.purgeRound).toHaveBeenCalledWith(
      { name: 'history retention', lockKey: expect.any(Number) },
      [expect.objectContaining({ table: 'mac_history' })],
      expect.any(AbortSignal),
    );
    expect(macs.purgeHistoryOlderThan).toHaveBeenCalledWith(30, 500);
  });
});
