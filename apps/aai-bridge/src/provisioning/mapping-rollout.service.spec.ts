import { AuditRepository, ClockRepository, DomainError, MetricsRegistry, Principal } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { ApplyRun, ApplyRunRepository } from './apply-run.repository';
import { FederatedUserRepository, KnownUser } from './federated-user.repository';
import { MappingRolloutService } from './mapping-rollout.service';
import { ProvisioningService } from './provisioning.service';
import { MappingService } from '../mapping/mapping.service';

const RULES = {
  rules: [
    { local: [{ user: { name: '{0}' } }], remote: [{ type: 'uid' }] },
    { local: [{ projects: [{ name: 'cms', roles: [{ name: 'member' }] }] }], remote: [{ type: 'isMemberOf', any_one_of: ['infn:cms'] }] },
  ],
};
const ADMIN = { name: 'admin', role: 'admin' } as unknown as Principal;
const user = (id: string, groups: string[], granted: string[] = []): KnownUser => ({
  keystoneUserId: id,
  userName: id,
  idp: null,
  attributes: { uid: [id], isMemberOf: groups },
  granted,
});

/** The known users, the runs table and the mapping, in memory. */
function build(users: KnownUser[], o: { currentVersion?: number; activeRun?: boolean } = {}) {
  const runs = new Map<number, ApplyRun>();
  const runRepo = {
    create: jest.fn(async (mappingVersion: number, actor: string, total: number) => {
      const run = {
        id: runs.size + 1,
        mappingVersion,
        actor,
        status: 'running',
        cursor: null,
        total,
        processed: 0,
        granted: 0,
        revoked: 0,
        skipped: 0,
        failedUsers: [],
        error: null,
      } as unknown as ApplyRun;
      runs.set(run.id, run);
      return { ...run };
    }),
    get: async (id: number) => (runs.has(id) ? { ...runs.get(id)! } : null),
    activeSince: async () => (o.activeRun ? ({ id: 9 } as ApplyRun) : null),
    progress: async (
      id: number,
      p: { cursor: string | null; processed: number; granted: number; revoked: number; skipped: number; failedUsers: string[] },
    ) => {
      const r = runs.get(id)!;
      Object.assign(r, {
        cursor: p.cursor,
        processed: r.processed + p.processed,
        granted: r.granted + p.granted,
        revoked: r.revoked + p.revoked,
        skipped: r.skipped + p.skipped,
        failedUsers: p.failedUsers,
      });
    },
    restart: async (id: number) => !!Object.assign(runs.get(id)!, { status: 'running' }),
    finish: async (id: number, status: 'done' | 'failed', error: string | null) => void Object.assign(runs.get(id)!, { status, error }),
  };
  const userRepo = {
    count: async () => users.length,
    batchAfter: async (cursor: string | null, limit: number) =>
      users.filter((u) => cursor === null || u.keystoneUserId > cursor).slice(0, limit),
    byIds: async (ids: string[]) => users.filter((u) => ids.includes(u.keystoneUserId)),
    forget: jest.fn(async () => undefined),
  };
  const mapping = {
    rules: jest.fn(async (input?: unknown) => (input === undefined ? RULES : (input as typeof RULES))),
    current: jest.fn(async () => ({ version: o.currentVersion ?? 2, rules: RULES.rules })),
    replace: jest.fn(async () => ({ version: 2, rules: RULES.rules })),
  };
  const provisioning = {
    reprovision: jest.fn(async (_user: { keystoneUserId: string }, _mapped: unknown) => ({
      granted: ['project cms: role member'],
      revoked: [] as string[],
      deletedCredentials: 0,
    })),
  };
  const service = new MappingRolloutService(
    mapping as unknown as MappingService,
    userRepo as unknown as FederatedUserRepository,
    runRepo as unknown as ApplyRunRepository,
    provisioning as unknown as ProvisioningService,
    { record: jest.fn(async () => undefined) } as unknown as AuditRepository,
    { now: () => new Date('2026-01-01T00:00:00Z'), sleep: async () => undefined } as ClockRepository,
    { AAI_APPLY_BATCH_SIZE: 2 } as AaiBridgeConfig,
    new MetricsRegistry(),
  );
  return { service, runs, runRepo, mapping, provisioning, userRepo };
}

describe('MappingRolloutService', () => {
  it('previews gains and losses against the recorded grants, and who would lose all access', async () => {
    const { service } = build([
      user('a', ['infn:cms']),
      user('b', [], ['project cms: role member']),
      user('c', ['infn:cms'], ['project cms: role member']),
    ]);
    const preview = await service.preview(RULES);
    expect(preview).toMatchObject({ users: 3, changed: 2, gained: 1, lost: 1, loseAllAccess: ['b'], refused: [] });
    expect(preview.changes.map((c) => c.user)).toEqual(['a', 'b']);
  });

  it('a dry run stores nothing and starts no run', async () => {
    const { service, mapping, runRepo } = build([user('a', ['infn:cms'])]);
    const outcome = await service.applyNow(RULES, ADMIN, undefined, true);
    expect(outcome).toMatchObject({ dryRun: true, preview: { changed: 1 } });
    expect(mapping.replace).not.toHaveBeenCalled();
    expect(runRepo.create).not.toHaveBeenCalled();
  });

  it('refuses (conflict) while another run is still running, before storing the rules', async () => {
    const { service, mapping } = build([], { activeRun: true });
    await expect(service.applyNow(RULES, ADMIN, undefined, false)).rejects.toMatchObject({ kind: 'conflict', code: 'apply_running' });
    expect(mapping.replace).not.toHaveBeenCalled();
  });

  it('re-provisions every user batch by batch; a failed user is listed and the run fails', async () => {
    const { service, runRepo, provisioning } = build(['a', 'b', 'c'].map((id) => user(id, ['infn:cms'])));
    provisioning.reprovision.mockImplementation(async (u: { keystoneUserId: string }) => {
      if (u.keystoneUserId === 'b') throw new Error('Keystone down');
      return { granted: ['project cms: role member'], revoked: [], deletedCredentials: 0 };
    });
    const run = await runRepo.create(2, 'admin', 3);
    expect(await service.execute(run.id)).toMatchObject({ status: 'failed', processed: 3, granted: 2, failedUsers: ['b'], cursor: 'c' });
  });

  it('a resume retries only the failed users, without counting them again', async () => {
    const { service, runRepo, provisioning } = build(['a', 'b', 'c'].map((id) => user(id, ['infn:cms'])));
    provisioning.reprovision.mockRejectedValueOnce(new Error('Keystone down'));
    const run = await runRepo.create(2, 'admin', 3);
    await service.execute(run.id);
    provisioning.reprovision.mockClear();
    expect(await service.execute(run.id)).toMatchObject({ status: 'done', processed: 3, failedUsers: [] });
    expect(provisioning.reprovision).toHaveBeenCalledTimes(1);
    expect(provisioning.reprovision).toHaveBeenCalledWith(expect.objectContaining({ keystoneUserId: 'a' }), expect.anything());
  });

  it('revokes everything of a user the new rules refuse (mapped as null)', async () => {
    const { service, runRepo, provisioning } = build([{ ...user('a', []), attributes: { mail: ['a@x'] } }]);
    const run = await runRepo.create(2, 'admin', 1);
    await service.execute(run.id);
    expect(provisioning.reprovision).toHaveBeenCalledWith(expect.objectContaining({ keystoneUserId: 'a' }), null);
  });

  it('stops a run whose rules were replaced since (logins already use the newer ones)', async () => {
    const { service, runRepo, provisioning } = build([user('a', ['infn:cms'])], { currentVersion: 3 });
    const run = await runRepo.create(2, 'admin', 1);
    expect(await service.execute(run.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('version 3') });
    expect(provisioning.reprovision).not.toHaveBeenCalled();
  });

  it('forgets a user deleted in Keystone meanwhile, counted as skipped, not failed', async () => {
    const { service, runRepo, provisioning, userRepo } = build([user('a', ['infn:cms'])]);
    provisioning.reprovision.mockRejectedValueOnce(DomainError.notFound('user_gone', 'user a no longer exists in Keystone'));
    const run = await runRepo.create(2, 'admin', 1);
    expect(await service.execute(run.id)).toMatchObject({ status: 'done', skipped: 1, failedUsers: [] });
    expect(userRepo.forget).toHaveBeenCalledWith('a');
  });
});
