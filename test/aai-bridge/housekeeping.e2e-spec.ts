import { Client } from 'pg';
import type { PurgeRound } from '../../libs/platform/src/housekeeping/housekeeping.service';
import { TestApp, startAaiBridge } from '../support/aai-bridge-app';

interface Job {
  runOnce(): Promise<PurgeRound>;
}

/** The value of one sample of /metrics, 0 when absent. */
async function metric(t: TestApp, name: string, labels: string): Promise<number> {
  const text = (await t.http.get('/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

/**
 * Expired sessions, SAML request IDs and seen assertion IDs, and audit entries past
 * AUDIT_RETENTION_DAYS go; what a request could still use stays. Rows are written with the
 * database's clock, as the service stamps them.
 */
describe('aai-bridge: housekeeping purges (real PostgreSQL)', () => {
  let t: TestApp;
  let pg: Client;
  let jobs: { sessions: Job; samlState: Job; audit: Job };
  let locks: { sessions: number };

  beforeAll(async () => {
    // 7 per batch: 25 old rows need several DELETEs, the last one short.
    t = await startAaiBridge({ HOUSEKEEPING_BATCH_ROWS: '7', AUDIT_RETENTION_DAYS: '30', AAI_CLOCK_SKEW_SECONDS: '60' });
    pg = new Client({ connectionString: t.databaseUrl });
    await pg.connect();
    const sessionJob =
      require('../../apps/aai-bridge/src/session/session-purge.job') as typeof import('../../apps/aai-bridge/src/session/session-purge.job');
    const samlJob =
      require('../../apps/aai-bridge/src/saml/saml-state-purge.job') as typeof import('../../apps/aai-bridge/src/saml/saml-state-purge.job');
    const auditJob =
      require('../../libs/platform/src/audit/audit-retention.job') as typeof import('../../libs/platform/src/audit/audit-retention.job');
    jobs = {
      sessions: t.app.get(sessionJob.SessionPurgeJob),
      samlState: t.app.get(samlJob.SamlStatePurgeJob),
      audit: t.app.get(auditJob.AuditRetentionJob),
    };
    locks = { sessions: sessionJob.SESSION_PURGE_LOCK_KEY };
  });
  afterAll(async () => {
    await pg.end();
    await t.close();
  });

  const count = async (sql: string): Promise<number> => (await pg.query(`SELECT count(*)::int AS n FROM ${sql}`)).rows[0].n;

  /** `n` sessions expiring at `expiresAt` (an SQL expression), tagged in name_id. */
  const insertSessions = (tag: string, n: number, expiresAt: string) =>
    pg.query(
      `INSERT INTO sessions (token_hash, identity, name_id, expires_at)
       SELECT md5($1 || g) || md5(g || $1), '{}', $1, ${expiresAt} FROM generate_series(1, $2) g`,
      [tag, n],
    );

  it('deletes expired sessions in batches and keeps the live ones', async () => {
    await insertSessions('expired', 25, `now() - interval '1 second' * g`);
    await insertSessions('live', 3, `now() + interval '1 minute'`);
    const before = await metric(t, 'housekeeping_rows_purged_total', 'table="sessions"');

    expect(await jobs.sessions.runOnce()).toEqual({ skipped: false, purged: { sessions: 25 } });
    expect(await count(`sessions WHERE name_id = 'expired'`)).toBe(0);
    expect(await count(`sessions WHERE name_id = 'live'`)).toBe(3);
    expect((await metric(t, 'housekeeping_rows_purged_total', 'table="sessions"')) - before).toBe(25);
  });

  it('skips the round while another node holds the job lock, and purges once it is free', async () => {
    await insertSessions('while-locked', 4, `now() - interval '1 hour'`);
    const otherNode = new Client({ connectionString: t.databaseUrl });
    await otherNode.connect();
    try {
      await otherNode.query('SELECT pg_advisory_lock($1)', [locks.sessions]);
      const skippedBefore = await metric(t, 'housekeeping_rounds_total', 'job="session purge",outcome="skipped"');
      expect(await jobs.sessions.runOnce()).toEqual({ skipped: true });
      expect(await count(`sessions WHERE name_id = 'while-locked'`)).toBe(4);
      expect((await metric(t, 'housekeeping_rounds_total', 'job="session purge",outcome="skipped"')) - skippedBefore).toBe(1);
      await otherNode.query('SELECT pg_advisory_unlock($1)', [locks.sessions]);
    } finally {
      await otherNode.end();
    }
    expect(await jobs.sessions.runOnce()).toEqual({ skipped: false, purged: { sessions: 4 } });
    expect(await count(`sessions WHERE name_id = 'while-locked'`)).toBe(0);
  });

  it('deletes SAML request IDs past their 10 minutes, keeping those a response may still answer', async () => {
    await pg.query(
      `INSERT INTO saml_requests (id, value, created_at) SELECT 'old-' || g, 'v', now() - interval '10 minutes 1 second' - interval '1 second' * g FROM generate_series(1, 20) g`,
    );
    await pg.query(`INSERT INTO saml_requests (id, value, created_at) VALUES ('recent', 'v', now() - interval '9 minutes')`);

    const round = await jobs.samlState.runOnce();
    expect(round).toEqual({ skipped: false, purged: { saml_requests: 20, saml_seen_assertions: 0 } });
    expect(await count(`saml_requests WHERE id LIKE 'old-%'`)).toBe(0);
    const { SamlStateRepository } =
      require('../../apps/aai-bridge/src/saml/saml-state.repository') as typeof import('../../apps/aai-bridge/src/saml/saml-state.repository');
    expect(await t.app.get(SamlStateRepository).getAsync('recent')).toBe('v'); // still usable, so kept
  });

  it('deletes seen assertion IDs only past their expiry plus the clock skew (60 s here)', async () => {
    await pg.query(
      `INSERT INTO saml_seen_assertions (id, expires_at) SELECT 'gone-' || g, now() - interval '61 seconds' - interval '1 second' * g FROM generate_series(1, 9) g`,
    );
    // Expired, but within the skew: an IdP whose clock runs ahead could still have it accepted.
    await pg.query(`INSERT INTO saml_seen_assertions (id, expires_at) VALUES ('within-skew', now() - interval '30 seconds')`);
    await pg.query(`INSERT INTO saml_seen_assertions (id, expires_at) VALUES ('valid', now() + interval '1 hour')`);

    expect(await jobs.samlState.runOnce()).toEqual({ skipped: false, purged: { saml_requests: 0, saml_seen_assertions: 9 } });
    expect((await pg.query('SELECT id FROM saml_seen_assertions ORDER BY id')).rows.map((r) => r.id)).toEqual(['valid', 'within-skew']);
    expect(await metric(t, 'housekeeping_rows_purged_total', 'table="saml_seen_assertions"')).toBe(9);
  });

  it('deletes audit entries older than AUDIT_RETENTION_DAYS (30 here) and keeps newer ones', async () => {
    await pg.query(
      `INSERT INTO audit_log (at, actor, action, target) SELECT now() - interval '30 days 1 minute' - interval '1 hour' * g, 'old', 'x', 'y' FROM generate_series(1, 15) g`,
    );
    await pg.query(`INSERT INTO audit_log (at, actor, action, target) VALUES (now() - interval '29 days', 'recent', 'x', 'y')`);

    expect(await jobs.audit.runOnce()).toEqual({ skipped: false, purged: { audit_log: 15 } });
    expect(await count(`audit_log WHERE actor = 'old'`)).toBe(0);
    expect(await count(`audit_log WHERE actor = 'recent'`)).toBe(1);
    expect(await metric(t, 'housekeeping_rows_purged_total', 'table="audit_log"')).toBe(15);
  });
});
