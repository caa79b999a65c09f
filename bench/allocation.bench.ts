import { Pool } from 'pg';
import { Figure } from './figures';
import { api, createDatabase, fmt, load, reserveOverHttp, startService } from './harness';
import { RESERVE_FROM_POOL_SQL } from '../apps/mac-pool/src/allocations/allocation.repository';

/**
 * Allocations through HTTP at 32 concurrent clients on a pool of 1,000,000, next to the service's
 * own allocation statement run over raw pg with 32 connections in the same run.
 * Targets: HTTP >= 0.5x raw, p99 < 25 ms.
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

    const http = await load(allocations, concurrency, async (i) => {
      const status = await reserveOverHttp(svc.url, hook, `http-${i}`);
      if (status !== 201) throw new Error(`allocation answered ${status}`);
    });

    const pg = new Pool({ connectionString: url, max: concurrency });
    const [{ id: poolId }] = (await pg.query(`SELECT id FROM pools WHERE name = 'big'`)).rows;
    await load(
      500,
      concurrency,
      async (i) => void (await pg.query(RESERVE_FROM_POOL_SQL, [`rawwarm-${i}`, null, null, null, null, 'bench', poolId])),
    );
    const raw = await load(allocations, concurrency, async (i) => {
      const r = await pg.query(RESERVE_FROM_POOL_SQL, [`raw-${i}`, `vm-${i}`, 'compute:nova', 'project', 'network', 'bench', poolId]);
      if (r.rowCount !== 1) throw new Error('raw allocation found no free MAC');
    });
    await pg.end();

    console.log(`pool of 1,000,000 MACs, ${allocations.toLocaleString()} allocations, ${concurrency} concurrent clients`);
    console.log(
      `HTTP (POST /v1/allocations): ${fmt(http.opsPerSecond, 0)} allocations/s, p50 ${fmt(http.p50, 2)} ms, p99 ${fmt(http.p99, 2)} ms  (target p99 < 25 ms)`,
    );
    console.log(
      `raw pg, same statement:      ${fmt(raw.opsPerSecond, 0)} allocations/s, p50 ${fmt(raw.p50, 2)} ms, p99 ${fmt(raw.p99, 2)} ms`,
    );
    console.log(`ratio HTTP / raw: ${fmt(http.opsPerSecond / raw.opsPerSecond, 2)}x  (target >= 0.5x)`);
    return [
      { name: 'allocation.throughput', value: http.opsPerSecond, baseline: raw.opsPerSecond, unit: '/s', target: null },
      { name: 'allocation.throughput_ratio', value: http.opsPerSecond / raw.opsPerSecond, baseline: null, unit: 'x', target: '>= 0.5' },
      { name: 'allocation.p99_ms', value: http.p99, baseline: raw.p99, unit: 'ms', target: '< 25' },
      { name: 'allocation.p99_ratio', value: http.p99 / raw.p99, baseline: null, unit: 'x', target: null },
    ];
  } finally {
    await svc.stop();
  }
}
