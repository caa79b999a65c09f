import { ConfigService } from '@nestjs/config';
import { AdvisoryLockRepository } from './advisory-lock.repository';
import { HousekeepingService, PurgeTarget } from './housekeeping.service';
import { PurgeMetrics } from './purge-metrics';

const JOB = { name: 'test purge', lockKey: 42 };

function build({ lockFree = true, batchRows = 10 } = {}) {
  const locks = {
    runIfFree: jest.fn(async (_key: number, work: () => Promise<unknown>) =>
      lockFree ? { ran: true, result: await work() } : { ran: false },
    ),
  };
  const metrics = { purged: jest.fn(), round: jest.fn() };
  const config = { get: (name: string) => (name === 'HOUSEKEEPING_BATCH_ROWS' ? batchRows : undefined) };
  const service = new HousekeepingService(
    locks as unknown as AdvisoryLockRepository,
    metrics as unknown as PurgeMetrics,
    config as unknown as ConfigService,
  );
  return { service, locks, metrics };
}

/** A table holding `rows` purgeable rows, deleted `limit` at a time. */
function table(name: string, rows: number): PurgeTarget & { purgeBatch: jest.Mock } {
  let left = rows;
  return {
    table: name,
    purgeBatch: jest.fn(async (limit: number) => {
      const n = Math.min(limit, left);
      left -= n;
      return n;
    }),
  };
}

describe('HousekeepingService', () => {
  it('deletes in batches of HOUSEKEEPING_BATCH_ROWS until a short batch says nothing is left', async () => {
    const { service } = build({ batchRows: 10 });
    const sessions = table('sessions', 25);
    expect(await service.purgeRound(JOB, [sessions])).toEqual({ skipped: false, purged: { sessions: 25 } });
    expect(sessions.purgeBatch.mock.calls).toEqual([[10], [10], [10]]);
  });

  it('asks once more after a full last batch, and stops at the empty one', async () => {
    const { service } = build({ batchRows: 10 });
    const sessions = table('sessions', 20);
    await service.purgeRound(JOB, [sessions]);
    expect(sessions.purgeBatch).toHaveBeenCalledTimes(3);
  });

  it('purges every table of the job in one round, under the job lock', async () => {
    const { service, locks } = build();
    const result = await service.purgeRound(JOB, [table('a', 3), table('b', 0)]);
    expect(result).toEqual({ skipped: false, purged: { a: 3, b: 0 } });
    expect(locks.runIfFree).toHaveBeenCalledWith(42, expect.any(Function));
  });

  it('skips the round, deleting nothing, when the other node holds the lock', async () => {
    const { service, metrics } = build({ lockFree: false });
    const sessions = table('sessions', 5);
    expect(await service.purgeRound(JOB, [sessions])).toEqual({ skipped: true });
    expect(sessions.purgeBatch).not.toHaveBeenCalled();
    expect(metrics.round).toHaveBeenCalledWith('test purge', 'skipped');
  });

  it('counts the rows purged per table', async () => {
    const { service, metrics } = build({ batchRows: 10 });
    await service.purgeRound(JOB, [table('sessions', 12)]);
    expect(metrics.purged.mock.calls).toEqual([
      ['sessions', 10],
      ['sessions', 2],
    ]);
    expect(metrics.round).toHaveBeenCalledWith('test purge', 'purged');
  });

  it('stops between batches once shutdown begins', async () => {
    const { service } = build({ batchRows: 10 });
    const stopping = new AbortController();
    const sessions = table('sessions', 1000);
    sessions.purgeBatch.mockImplementation(async (limit: number) => {
      if (sessions.purgeBatch.mock.calls.length === 2) stopping.abort();
      return limit;
    });
    expect(await service.purgeRound(JOB, [sessions], stopping.signal)).toEqual({ skipped: false, purged: { sessions: 20 } });
    expect(sessions.purgeBatch).toHaveBeenCalledTimes(2);
  });
});
