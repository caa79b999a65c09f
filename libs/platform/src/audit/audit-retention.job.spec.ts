import { ConfigService } from '@nestjs/config';
import { AuditRetentionJob } from './audit-retention.job';
import { AuditRepository } from './audit.repository';
import { HousekeepingService, PurgeTarget } from '../housekeeping/housekeeping.service';

function build(days: number) {
  const housekeeping = {
    purgeRound: jest.fn(async (_job: unknown, targets: PurgeTarget[]) => {
      for (const t of targets) await t.purgeBatch(500);
      return { skipped: false, purged: {} };
    }),
  };
  const audit = { purgeOlderThan: jest.fn(async () => 0) };
  const config = { get: (name: string) => ({ AUDIT_RETENTION_DAYS: days, HOUSEKEEPING_INTERVAL_SECONDS: 3600 })[name] };
  const job = new AuditRetentionJob(
    housekeeping as unknown as HousekeepingService,
    audit as unknown as AuditRepository,
    config as unknown as ConfigService,
  );
  return { job, housekeeping, audit };
}

describe('AuditRetentionJob', () => {
  it('deletes nothing with the default 0 (keep forever), even when run by hand', async () => {
    const { job, housekeeping, audit } = build(0);
    await job.runOnce();
    expect(housekeeping.purgeRound).not.toHaveBeenCalled();
    expect(audit.purgeOlderThan).not.toHaveBeenCalled();
  });

  it('purges audit_log past AUDIT_RETENTION_DAYS under its own lock', async () => {
    const { job, housekeeping, audit } = build(90);
    await job.runOnce();
    expect(housekeeping.purgeRound).toHaveBeenCalledWith(
      { name: 'audit retention', lockKey: expect.any(Number) },
      [expect.objectContaining({ table: 'audit_log' })],
      expect.any(AbortSignal),
    );
    expect(audit.purgeOlderThan).toHaveBeenCalledWith(90, 500);
  });
});
