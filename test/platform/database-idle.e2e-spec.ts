import { Client } from 'pg';
import { createTestDatabase } from '../support/database';
import { spawnService } from '../support/service-process';

const ADMIN = 'idle-admin-token-0123456789abcdef';

/**
 * A port create after a quiet spell should not pay for a new database connection (a backend
 * start, authentication, preparing the statements again): idle connections are kept for
 * DB_IDLE_TIMEOUT_SECONDS, not pg's default 10 s.
 */
describe('idle database connections', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  /** The service's pooled sessions (its listener has a name of its own). */
  const sessions = async () =>
    (
      await pg.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'mac-pool' ORDER BY pid`,
      )
    ).rows.map((r) => r.pid);

  const busy = (url: string) =>
    Promise.all(
      Array.from({ length: 6 }, () => fetch(`${url}/v1/pools`, { headers: { Authorization: `Bearer ${ADMIN}` } }).then((r) => r.status)),
    );

  it('keeps them past pg’s default 10 s, and closes them after the configured time', async () => {
    const kept = await spawnService({ DATABASE_URL: db.url, MACPOOL_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn' });
    try {
      expect(await busy(kept.url)).toEqual([200, 200, 200, 200, 200, 200]);
      const before = await sessions();
      expect(before.length).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 11_500));
      expect(await sessions()).toEqual(expect.arrayContaining(before)); // every one of them still open
    } finally {
      await kept.stop();
    }
    const short = await spawnService({ DATABASE_URL: db.url, MACPOOL_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn', DB_IDLE_TIMEOUT_SECONDS: '1' });
    try {
      await busy(short.url);
      expect((await sessions()).length).toBeGreaterThan(0);
      const deadline = Date.now() + 10_000;
      while ((await sessions()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await sessions()).toEqual([]);
    } finally {
      await short.stop();
    }
  }, 60_000);
});
