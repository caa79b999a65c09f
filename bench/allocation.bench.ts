import { Pool } from 'pg';
import { Figure } from './figures';
import { api, cpuMeter, createDatabase, fmt, load, reserveOverHttp, startFloor, startService } from './harness';
import { RESERVE_FROM_POOL } from '../apps/mac-pool/src/allocations/allocation.repository';

/**
 * Allocations through HTTP at 32 concurrent clients on a pool of 1,000,000, next to the service's
 * own allocation statement run over raw pg with 32 connections in the same run.
 * Targets: HTTP >= 0.8x raw throughput, p99 <= 1.3x raw p99. Also where each phase's CPU went
 * (service, PostgreSQL, load generator), per allocation: the machine's cores are shared by all three.
 * Then the floor: the same requests answered by the least an HTTP service can be (http-floor.ts),
 * which says how much of the gap is the HTTP hop on this machine rather than the service.
 */
export async function benchAllocation(adminUrl: string, { allocations = 20000, concurrency = 32 } = {}): Promise<Figure[]> {
  const url = await createDatabase(adminUrl, 'bench_alloc');
  const svc = await startService(url);
  try {
    await api(svc.url, 'POST', '/v1/pools', { name: 'big' });
    const up = await api(svc.url, 'POST', '/v1/pools/big/macs', '02:00:00:00:00:00-02:00:00:0f:42:3f\n', 'text/plain');
    if (up.body.added !== 1_000_000) throw new Error(`pool upload failed: ${JSON.stringify(up.body)}`);
    const hook = (await api(svc.url, 'POST', '/v1/tokens', { name: 'bench-hook', role: 'hook' })).body.token as string;

    // Warm-up (JIT, connection pools, caches), not counted.
    await load(500, concurrency, async (i) => void (await reserveOverHttp(svc.url, hook, `warm-${i}`)));

    const httpCpu = await cpuMeter(url, svc.pid);
    const http = await load(allocations, concurrency, async (i) => {
      const status = await reserveOverHttp(svc.url, hook, `http-${i}`);
      if (status !== 201) throw new Error(`allocation answered ${status}`);
    });
    const httpCpuPerOp = httpCpu(allocations);

    const pg = new Pool({ connectionString: url, max: concurrency });
    const [{ id: poolId }] = (await pg.query(`SELECT id FROM pools WHERE name = 'big'`)).rows;
    await load(
      500,
      concurrency,
      async (i) => void (await pg.query({ ...RESERVE_FROM_POOL, values: [`rawwarm-${i}`, null, null, null, null, 'bench', poolId] })),
    );
    const rawCpu = await cpuMeter(url);
    const raw = await load(allocations, concurrency, async (i) => {
      const r = await pg.query({
        ...RESERVE_FROM_POOL,
        values: [`raw-${i}`, `vm-${i}`, 'compute:nova', 'project', 'network', 'bench', poolId],
      });
      if (r.rowCount !== 1) throw new Error('raw allocation found no free MAC');
    });
    const rawCpuPerOp = rawCpu(allocations);
    // The same statement unprepared, parsed and planned on every call (how the service ran it before
    // it prepared its hot statements): what preparing is worth to the database.
    const unprepared = await load(allocations, concurrency, async (i) => {
      const r = await pg.query(RESERVE_FROM_POOL.text, [`unprep-${i}`, `vm-${i}`, 'compute:nova', 'project', 'network', 'bench', poolId]);
      if (r.rowCount !== 1) throw new Error('raw allocation found no free MAC');
    });
    await pg.end();

    const floor = await startFloor('http-floor.js', (port) => [url, String(port), String(poolId), hook]);
    let floorRun: Awaited<ReturnType<typeof load>>;
    let floorCpuPerOp: typeof httpCpuPerOp;
    try {
      await load(500, concurrency, async (i) => void (await reserveOverHttp(floor.url, hook, `floorwarm-${i}`)));
      const floorCpu = await cpuMeter(url, floor.pid);
      floorRun = await load(allocations, concurrency, async (i) => {
        const status = await reserveOverHttp(floor.url, hook, `floor-${i}`);
        if (status !== 201) throw new Error(`floor allocation answered ${status}`);
      });
      floorCpuPerOp = floorCpu(allocations);
    } finally {
      await floor.stop();
    }

    console.log(`pool of 1,000,000 MACs, ${allocations.toLocaleString()} allocations, ${concurrency} concurrent clients`);
    console.log(
      `HTTP (POST /v1/allocations): ${fmt(http.opsPerSecond, 0)} allocations/s, p50 ${fmt(http.p50, 2)} ms, p99 ${fmt(http.p99, 2)} ms`,
    );
    console.log(
      `raw pg, same statement:      ${fmt(raw.opsPerSecond, 0)} allocations/s, p50 ${fmt(raw.p50, 2)} ms, p99 ${fmt(raw.p99, 2)} ms`,
    );
    console.log(
      `raw pg, unprepared:          ${fmt(unprepared.opsPerSecond, 0)} allocations/s, p50 ${fmt(unprepared.p50, 2)} ms, p99 ${fmt(unprepared.p99, 2)} ms`,
    );
    console.log(
      `ratio HTTP / raw: throughput ${fmt(http.opsPerSecond / raw.opsPerSecond, 2)}x (target >= 0.8x), p99 ${fmt(http.p99 / raw.p99, 2)}x (target <= 1.3x)`,
    );
    console.log(
      `floor, node:http + pg:       ${fmt(floorRun.opsPerSecond, 0)} allocations/s, p50 ${fmt(floorRun.p50, 2)} ms, p99 ${fmt(floorRun.p99, 2)} ms`,
    );
    console.log(
      `ratio floor / raw: throughput ${fmt(floorRun.opsPerSecond / raw.opsPerSecond, 2)}x, p99 ${fmt(floorRun.p99 / raw.p99, 2)}x` +
        ` (what any HTTP hop costs here); HTTP / floor: throughput ${fmt(http.opsPerSecond / floorRun.opsPerSecond, 2)}x, p99 ${fmt(http.p99 / floorRun.p99, 2)}x`,
    );
    const cpu = (c: typeof httpCpuPerOp) =>
      `service ${fmt(c.service, 3)}, PostgreSQL ${Number.isNaN(c.postgres) ? '-' : fmt(c.postgres, 3)}, load generator ${fmt(c.client, 3)}`;
    console.log(`CPU ms per allocation, HTTP phase: ${cpu(httpCpuPerOp)}`);
    console.log(`CPU ms per allocation, raw phase:  ${cpu(rawCpuPerOp)}`);
    console.log(`CPU ms per allocation, floor phase: ${cpu(floorCpuPerOp)} (service = the floor server)`);
    return [
      { name: 'allocation.throughput', value: http.opsPerSecond, baseline: raw.opsPerSecond, unit: '/s', target: null },
      { name: 'allocation.throughput_ratio', value: http.opsPerSecond / raw.opsPerSecond, baseline: null, unit: 'x', target: '>= 0.8' },
      { name: 'allocation.p99_ms', value: http.p99, baseline: raw.p99, unit: 'ms', target: null },
      { name: 'allocation.p99_ratio', value: http.p99 / raw.p99, baseline: null, unit: 'x', target: '<= 1.3' },
      {
        name: 'allocation.unprepared_raw_throughput',
        value: unprepared.opsPerSecond,
        baseline: raw.opsPerSecond,
        unit: '/s',
        target: null,
      },
      {
        name: 'allocation.floor_throughput_ratio',
        value: floorRun.opsPerSecond / raw.opsPerSecond,
        baseline: null,
        unit: 'x',
        target: null,
      },
      { name: 'allocation.floor_p99_ratio', value: floorRun.p99 / raw.p99, baseline: null, unit: 'x', target: null },
      { name: 'allocation.service_cpu_ms', value: httpCpuPerOp.service, baseline: floorCpuPerOp.service, unit: 'ms', target: null },
      { name: 'allocation.postgres_cpu_ms', value: httpCpuPerOp.postgres, baseline: rawCpuPerOp.postgres, unit: 'ms', target: null },
    ];
  } finally {
    await svc.stop();
  }
}
