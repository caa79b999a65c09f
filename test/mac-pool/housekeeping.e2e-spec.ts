import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { HISTORY_RETENTION_LOCK_KEY } from '../../apps/mac-pool/src/macs/history-retention.job';
import { createTestDatabase } from '../support/database';
import { MAC_POOL_MAIN, ServiceProcess, spawnService } from '../support/service-process';

const TOKEN = 'housekeeping-admin-token-0123';
const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

/** The value of one sample of a node's /metrics, 0 when absent. */
async function metric(node: ServiceProcess, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function eventually(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * History and audit retention on two real mac-pool processes sharing one PostgreSQL, their purge
 * jobs ticking every second: old rows go, newer rows stay, and one node purges while the other
 * skips. Old rows are written with the database's clock, as the service stamps them.
 */
describe('mac-pool: history and audit retention on two instances (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let nodes: ServiceProcess[] = [];
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      DATABASE_URL: db.url,
      MACPOOL_ADMIN_TOKEN: TOKEN,
      LOG_LEVEL: 'warn',
      DB_POOL_SIZE: '4',
      HOUSEKEEPING_INTERVAL_SECONDS: '1',
      HOUSEKEEPING_BATCH_ROWS: '100',
      MACPOOL_HISTORY_RETENTION_DAYS: '30',
      AUDIT_RETENTION_DAYS: '30',
    };
    nodes = await Promise.all([spawnService(env), spawnService(env)]);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await Promise.all(nodes.map((n) => n.stop()));
    await db?.drop();
  });

  const count = async (sql: string): Promise<number> => (await pg.query(`SELECT count(*)::int AS n FROM ${sql}`)).rows[0].n;

  it('purges history older than MACPOOL_HISTORY_RETENTION_DAYS on one node only, keeping newer events', async () => {
    const OLD = 20_000;
    // A real event, stamped now by the service.
    await fetch(`${nodes[0].url}/v1/pools`, { method: 'POST', headers, body: JSON.stringify({ name: 'kept' }) });
    await fetch(`${nodes[0].url}/v1/pools/kept/macs`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'text/plain' },
      body: '02:ee:00:00:00:01\n',
    });
    const alloc = await fetch(`${nodes[1].url}/v1/allocations`, { method: 'POST', headers, body: JSON.stringify({ portId: 'kept-port' }) });
    expect(alloc.status).toBe(201);

    // Another node's round in progress, as far as both services can tell: both must skip.
    const otherNode = new Client({ connectionString: db.url });
    await otherNode.connect();
    try {
      await otherNode.query('SELECT pg_advisory_lock($1)', [HISTORY_RETENTION_LOCK_KEY]);
      await pg.query(
        `INSERT INTO mac_history (at, mac, pool, action, actor)
         SELECT now() - interval '30 days 1 minute' - interval '1 second' * g, '02:ee:00:00:00:01', 'kept', 'released', 'old' FROM generate_series(1, $1) g`,
        [OLD],
      );
      await pg.query(
        `INSERT INTO mac_history (at, mac, pool, action, actor)
         SELECT now() - interval '29 days' + interval '1 second' * g, '02:ee:00:00:00:01', 'kept', 'released', 'recent' FROM generate_series(1, 50) g`,
      );
      const skipped = (n: ServiceProcess) => metric(n, 'housekeeping_rounds_total', 'job="history retention",outcome="skipped"');
      const skippedAtLock = await Promise.all(nodes.map(skipped));
      await eventually('both nodes skip a round while the lock is held', async () => {
        const now = await Promise.all(nodes.map(skipped));
        return now.every((n, i) => n > skippedAtLock[i]);
      });
      expect(await count(`mac_history WHERE actor = 'old'`)).toBe(OLD);
      await otherNode.query('SELECT pg_advisory_unlock($1)', [HISTORY_RETENTION_LOCK_KEY]);
    } finally {
      await otherNode.end();
    }

    await eventually('the old history is purged', async () => (await count(`mac_history WHERE actor = 'old'`)) === 0);
    // One round deletes the whole backlog (batch after batch), so the node that took the lock
    // purged every row and the other none: never both in one round.
    const purged = await Promise.all(nodes.map((n) => metric(n, 'housekeeping_rows_purged_total', 'table="mac_history"')));
    expect([...purged].sort((a, b) => a - b)).toEqual([0, OLD]);
    expect(await count(`mac_history WHERE actor = 'recent'`)).toBe(50);
    const history = (await (await fetch(`${nodes[0].url}/v1/macs/02:ee:00:00:00:01/history`, { headers })).json()) as {
      events: Array<{ action: string; portId: string | null }>;
    };
    expect(history.events).toContainEqual(expect.objectContaining({ action: 'reserved', portId: 'kept-port' }));
  });

  it('purges audit entries older than AUDIT_RETENTION_DAYS, keeping newer ones', async () => {
    const recentBefore = await count(`audit_log WHERE at > now() - interval '30 days'`);
    await pg.query(
      `INSERT INTO audit_log (at, actor, action, target) SELECT now() - interval '30 days 1 minute' - interval '1 hour' * g, 'old', 'x', 'y' FROM generate_series(1, 250) g`,
    );
    await pg.query(`INSERT INTO audit_log (at, actor, action, target) VALUES (now() - interval '29 days', 'recent', 'x', 'y')`);

    await eventually('the old audit entries are purged', async () => (await count(`audit_log WHERE actor = 'old'`)) === 0);
    expect(await count(`audit_log WHERE actor = 'recent'`)).toBe(1);
    expect(await count(`audit_log WHERE at > now() - interval '30 days'`)).toBeGreaterThanOrEqual(recentBefore + 1);
    const purged = await Promise.all(nodes.map((n) => metric(n, 'housekeeping_rows_purged_total', 'table="audit_log"')));
    expect(purged[0] + purged[1]).toBe(250);
  });

  it('lists the retention and housekeeping variables in --help', () => {
    const help = execFileSync(process.execPath, [MAC_POOL_MAIN, '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/MACPOOL_HISTORY_RETENTION_DAYS\s+.*\(default 0\)/);
    expect(help).toMatch(/AUDIT_RETENTION_DAYS\s+.*\(default 0\)/);
    expect(help).toMatch(/HOUSEKEEPING_INTERVAL_SECONDS\s+.*\(default 3600\)/);
    expect(help).toMatch(/HOUSEKEEPING_BATCH_ROWS\s+.*\(default 1000\)/);
  });
});
