import { Client } from 'pg';
import { createTestDatabase } from '../support/database';
import { ServiceProcess, spawnService } from '../support/service-process';

const ADMIN = 'revocation-admin-token-0123456789';

/**
 * Each node caches token lookups. A token revoked through one node must stop working on the other
 * at once, not when its cache entry expires: PostgreSQL NOTIFY tells every node to drop its cache,
 * and a node that lost that channel caches nothing until it is back.
 */
describe('token revocation across two instances on one database', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let nodes: ServiceProcess[] = [];
  let pg: Client;
  const admin = { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' };

  const call = (node: ServiceProcess, token: string, path = '/v1/pools') =>
    fetch(`${node.url}${path}`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.status);

  async function newReader(name: string): Promise<string> {
    const res = await fetch(`${nodes[0].url}/v1/tokens`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name, role: 'reader' }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { token: string }).token;
  }

  /** The listener connection of a node, by the application name the service gives it. */
  const listeners = async () =>
    (
      await pg.query(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'mac-pool listener' ORDER BY pid`,
      )
    ).rows.map((r: { pid: number }) => r.pid);

  async function waitFor(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, MACPOOL_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn' };
    nodes = await Promise.all([spawnService(env), spawnService(env)]);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    await waitFor('both nodes listening', async () => (await listeners()).length === 2);
  });
  afterAll(async () => {
    await pg?.end();
    await Promise.all(nodes.map((n) => n.stop()));
    await db?.drop();
  });

  it('refuses a token on node B right after node A revoked it, though B had it cached', async () => {
    const token = await newReader('revoked-via-api');
    expect(await call(nodes[1], token)).toBe(200); // B caches it
    expect(await call(nodes[1], token)).toBe(200);
    const revoked = await fetch(`${nodes[0].url}/v1/tokens/revoked-via-api`, { method: 'DELETE', headers: admin });
    expect(revoked.status).toBe(204);
    // Node A refuses at once (it deleted the row). Node B hears of it by NOTIFY, which PostgreSQL
    // delivers asynchronously (its listening backend must be scheduled to pass it on): on a loaded
    // machine the next request can reach B first. What B owes is milliseconds, not its 5 s cache.
    expect(await call(nodes[0], token)).toBe(401);
    await waitFor('node B refusing the revoked token', async () => (await call(nodes[1], token)) === 401, 1000);
    expect(await call(nodes[1], token)).toBe(401);
  });

  it('also when the token is deleted straight in the database (psql), not through the API', async () => {
    const token = await newReader('revoked-via-sql');
    expect(await call(nodes[0], token)).toBe(200);
    expect(await call(nodes[1], token)).toBe(200);
    await pg.query(`DELETE FROM api_tokens WHERE name = 'revoked-via-sql'`);
    // The nodes learn of a change made behind their back by NOTIFY, delivered asynchronously:
    // refused within milliseconds, not at the end of the 5 s cache entry.
    const started = Date.now();
    await waitFor(
      'both nodes refusing the deleted token',
      async () => (await call(nodes[0], token)) === 401 && (await call(nodes[1], token)) === 401,
      1000,
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('never caches an admin token: one deleted in the database is refused by the very next request', async () => {
    const res = await fetch(`${nodes[0].url}/v1/tokens`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'second-admin', role: 'admin' }),
    });
    expect(res.status).toBe(201);
    const second = ((await res.json()) as { token: string }).token;
    expect([await call(nodes[0], second), await call(nodes[1], second)]).toEqual([200, 200]);
    await pg.query(`DELETE FROM api_tokens WHERE name = 'second-admin'`);
    expect([await call(nodes[0], second), await call(nodes[1], second)]).toEqual([401, 401]);
  });

  it('caches nothing while its notification connection is lost, and listens again when it can', async () => {
    const token = await newReader('revoked-while-deaf');
    expect(await call(nodes[1], token)).toBe(200); // cached on B
    const before = await listeners();
    // Kill both listeners; the nodes notice at once and retry after a second.
    await pg.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
    await new Promise((r) => setTimeout(r, 100));
    expect(await call(nodes[1], token)).toBe(200); // read from the database, must not be cached
    // Revoked while no node can hear it: the notification goes nowhere.
    await pg.query('ALTER TABLE api_tokens DISABLE TRIGGER USER');
    await pg.query(`DELETE FROM api_tokens WHERE name = 'revoked-while-deaf'`);
    await pg.query('ALTER TABLE api_tokens ENABLE TRIGGER USER');
    expect(await call(nodes[1], token)).toBe(401);

    await waitFor('listeners back', async () => (await listeners()).filter((pid) => !before.includes(pid)).length === 2);
    const again = await newReader('after-reconnect');
    expect(await call(nodes[1], again)).toBe(200);
    await fetch(`${nodes[0].url}/v1/tokens/after-reconnect`, { method: 'DELETE', headers: admin });
    // Heard again (not merely connected): refused well inside the 5 s the cache would keep it.
    await waitFor('node B refusing the token revoked after reconnecting', async () => (await call(nodes[1], again)) === 401, 1000);
  });
});
