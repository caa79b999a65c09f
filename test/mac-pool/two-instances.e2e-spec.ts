import { Client } from 'pg';
import { createTestDatabase } from '../support/database';
import { ServiceProcess, spawnService } from '../support/service-process';

const TOKEN = 'two-instances-admin-token-0123';

/**
 * Active/passive can briefly be active/active during a failover: two service processes on one
 * PostgreSQL answering at once must never hand one MAC to two ports.
 */
describe('mac-pool: two instances on one database', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let nodes: ServiceProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, MACPOOL_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'warn', DB_POOL_SIZE: '16' };
    // Started together: migrations run under the advisory lock, exactly once.
    nodes = await Promise.all([spawnService(env), spawnService(env)]);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await db.drop();
  });

  it('hands out each MAC at most once across 5,000 concurrent requests to both nodes', async () => {
    const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
    const POOL = 3000;
    const PORTS = 4000;
    const REQUESTS = 5000; // 1,000 are retries of a port, sent to the other node
    await fetch(`${nodes[0].url}/v1/pools`, { method: 'POST', headers, body: JSON.stringify({ name: 'shared' }) });
    const upload = await fetch(`${nodes[1].url}/v1/pools/shared/macs`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'text/plain' },
      body: '02:aa:00:00:00:00-02:aa:00:00:0b:b7\n', // 3,000 MACs
    });
    expect(await upload.json()).toMatchObject({ added: POOL });

    const results: Array<{ port: string; status: number; mac?: string }> = [];
    let next = 0;
    const worker = async () => {
      while (next < REQUESTS) {
        const i = next++;
        const port = `port-${i % PORTS}`;
        const node = nodes[i % 2];
        const res = await fetch(`${node.url}/v1/allocations`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ portId: port, deviceId: `vm-${i % PORTS}` }),
        });
        const body = (await res.json()) as { mac?: string };
        results.push({ port, status: res.status, mac: body.mac });
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));

    expect(results.every((r) => [200, 201, 409].includes(r.status))).toBe(true);
    const macByPort = new Map<string, string>();
    for (const r of results.filter((r) => r.mac)) {
      const earlier = macByPort.get(r.port);
      if (earlier) expect(r.mac).toBe(earlier); // a retry got the same MAC back
      macByPort.set(r.port, r.mac!);
    }
    expect(macByPort.size).toBe(POOL); // every MAC handed out, none twice
    expect(new Set(macByPort.values()).size).toBe(POOL);

    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const [{ n, distinct_ports }] = (
        await pg.query(`SELECT count(*)::int AS n, count(DISTINCT port_id)::int AS distinct_ports FROM macs WHERE state = 'reserved'`)
      ).rows;
      expect(n).toBe(POOL);
      expect(distinct_ports).toBe(POOL);
      const { rows } = await pg.query(`SELECT count(*)::int AS n FROM mac_history WHERE action = 'reserved'`);
      expect(rows[0].n).toBe(POOL); // one history row per reservation, retries add none
      // Each migration applied once, not once per node.
      const migrations = await pg.query('SELECT count(*)::int AS n, count(DISTINCT name)::int AS names FROM migrations');
      expect(migrations.rows[0].n).toBe(migrations.rows[0].names);
    } finally {
      await pg.end();
    }
  });
});
