import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ControlledPostgres } from '../support/controlled-postgres';
import { ServiceProcess, freePort, spawnService } from '../support/service-process';

const TOKEN = 'pg-restart-admin-token-0123';
const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
const POOL_SIZE = 4000;

interface Outcome {
  port: string;
  node: number;
  status: number;
  code?: string;
  mac?: string;
  startedAt: number;
  endedAt: number;
}

async function allocate(node: ServiceProcess, nodeIndex: number, port: string): Promise<Outcome> {
  const startedAt = Date.now();
  const res = await fetch(`${node.url}/v1/allocations`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ portId: port, deviceId: `vm-${port}` }),
  });
  const body = (await res.json()) as { mac?: string; error?: { code: string } };
  return { port, node: nodeIndex, status: res.status, code: body.error?.code, mac: body.mac, startedAt, endedAt: Date.now() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * PostgreSQL stopped and started again while two mac-pool processes allocate: while it is down
 * they answer 503 database_unavailable (nothing else), once it is back both serve again without
 * a restart, and no acknowledged allocation is lost or shares its MAC with another port.
 */
describe('mac-pool: PostgreSQL stopped and restarted under load from two instances', () => {
  let dataDir: string;
  let pg: ControlledPostgres;
  let nodes: ServiceProcess[] = [];
  let databaseUrl: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'macpool-restart-pg-'));
    await chmod(dataDir, 0o755);
    pg = new ControlledPostgres(dataDir, await freePort());
    databaseUrl = await pg.start();
    const env = { DATABASE_URL: databaseUrl, MACPOOL_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'error', DB_POOL_SIZE: '8' };
    nodes = await Promise.all([spawnService(env), spawnService(env)]);
    await fetch(`${nodes[0].url}/v1/pools`, { method: 'POST', headers, body: JSON.stringify({ name: 'restart' }) });
    const upload = await fetch(`${nodes[1].url}/v1/pools/restart/macs`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'text/plain' },
      body: '02:bb:00:00:00:00-02:bb:00:00:0f:9f\n', // 4,000 MACs
    });
    expect(await upload.json()).toMatchObject({ added: POOL_SIZE });
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await pg?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 503 while PostgreSQL is down, recovers on both nodes without a restart, loses nothing acknowledged', async () => {
    const pids = nodes.map((n) => n.proc.pid);
    const outcomes: Outcome[] = [];
    let next = 0;
    let loadOn = true;
    const worker = async () => {
      while (loadOn) {
        const i = next++;
        outcomes.push(await allocate(nodes[i % 2], i % 2, `port-${i}`));
        // Paced: the point is requests across the outage, not throughput on 2 shared cores.
        await sleep(20);
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, worker));

    await sleep(1500);
    await pg.stop();
    const downFrom = Date.now();
    await sleep(3000);
    const downUntil = Date.now();
    await pg.start();
    const upFrom = Date.now();
    // Recovered: both nodes acknowledge allocations again, without a restart.
    const deadline = Date.now() + 60_000;
    while (![0, 1].every((n) => outcomes.filter((o) => o.node === n && o.startedAt > upFrom && o.status === 201).length >= 20)) {
      if (Date.now() > deadline) throw new Error(`no recovery within 60 s: ${JSON.stringify(outcomes.slice(-10))}`);
      await sleep(100);
    }
    loadOn = false;
    await load;

    expect(nodes.map((n) => [n.proc.exitCode, n.proc.pid])).toEqual(pids.map((pid) => [null, pid]));
    // Nothing but a success or "the database can't be reached": never a 500.
    expect(outcomes.filter((o) => !(o.status === 201 || (o.status === 503 && o.code === 'database_unavailable')))).toEqual([]);
    const duringOutage = outcomes.filter((o) => o.startedAt >= downFrom && o.endedAt <= downUntil);
    for (const n of [0, 1]) expect(duringOutage.filter((o) => o.node === n).length).toBeGreaterThan(10);
    expect(duringOutage.every((o) => o.status === 503)).toBe(true);
    expect(outcomes.filter((o) => o.endedAt < downFrom && o.status === 201).length).toBeGreaterThan(10);

    // Ports refused during the outage are retried on the other node: each gets a MAC, at most once.
    const refused = outcomes.filter((o) => o.status === 503);
    const retries = await Promise.all(refused.map((o) => allocate(nodes[1 - o.node], 1 - o.node, o.port)));
    // 200: the reservation had been committed just before the connection dropped; the retry says so.
    expect(retries.filter((r) => r.status !== 201 && r.status !== 200)).toEqual([]);

    const acknowledged = [...outcomes.filter((o) => o.status === 201), ...retries];
    const macByPort = new Map(acknowledged.map((o) => [o.port, o.mac!]));
    expect(macByPort.size).toBe(acknowledged.length); // every port acknowledged once
    expect(new Set(macByPort.values()).size).toBe(macByPort.size); // no MAC twice

    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT port_id AS port, mac::text AS mac FROM macs WHERE port_id IS NOT NULL`);
      const stored = new Map(rows.map((r) => [r.port as string, r.mac as string]));
      // Every acknowledged allocation is in the database with the MAC the client was given.
      expect([...macByPort].filter(([port, mac]) => stored.get(port) !== mac)).toEqual([]);
      expect(stored.size).toBe(macByPort.size); // nothing reserved that no client was told about
      const history = await db.query(
        `SELECT port_id, count(*)::int AS n FROM mac_history WHERE action = 'reserved' GROUP BY port_id HAVING count(*) > 1`,
      );
      expect(history.rows).toEqual([]);
    } finally {
      await db.end();
    }
  });
});
