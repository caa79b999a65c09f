import { Pool } from 'pg';
import { Figure } from './figures';
import { api, createDatabase, fmt, load, reserveOverHttp, startService } from './harness';
import { RESERVE_FROM_POOL_SQL } from '../apps/mac-pool/src/allocations/allocation.repository';

const macText = (n: number) => {
  const hex = (0x02 * 2 ** 40 + n).toString(16).padStart(12, '0');
  return hex.match(/../g)!.join(':');
};

/**
 * Allocation cost as the pool grows: 10k, 1M, 16M MACs. Target: < 1.5x slowdown from the
 * smallest to the largest, through HTTP and for the statement alone.
 */
export async function benchPoolSizes(adminUrl: string, sizes: number[], { allocations = 5000, concurrency = 32 } = {}): Promise<Figure[]> {
  const rows: Array<{ size: number; httpPerSecond: number; httpP50: number; httpP99: number; sqlMeanMs: number; loadSeconds: number }> = [];
  for (const size of sizes) {
    const url = await createDatabase(adminUrl, `bench_size_${size}`);
    const svc = await startService(url);
    try {
      await api(svc.url, 'POST', '/v1/pools', { name: 'sized' });
      const t0 = performance.now();
      const up = await api(svc.url, 'POST', '/v1/pools/sized/macs', `${macText(0)}-${macText(size - 1)}\n`, 'text/plain');
      const loadSeconds = (performance.now() - t0) / 1000;
      if (up.body?.added !== size) throw new Error(`upload of ${size} failed: ${JSON.stringify(up.body)}`);
      const pg = new Pool({ connectionString: url, max: concurrency });
      // What autovacuum's auto-analyze does shortly after a bulk load anyway.
      await pg.query('ANALYZE macs');
      const hook = (await api(svc.url, 'POST', '/v1/tokens', { name: 'bench-hook', role: 'hook' })).body.token as string;
      await load(300, concurrency, async (i) => void (await reserveOverHttp(svc.url, hook, `warm-${i}`)));
      const http = await load(allocations, concurrency, async (i) => {
        if ((await reserveOverHttp(svc.url, hook, `http-${i}`)) !== 201) throw new Error('allocation failed');
      });
      const [{ id }] = (await pg.query(`SELECT id FROM pools WHERE name = 'sized'`)).rows;
      const sql = await load(
        2000,
        1,
        async (i) => void (await pg.query(RESERVE_FROM_POOL_SQL, [`sql-${i}`, null, null, null, null, 'bench', id])),
      );
      await pg.end();
      rows.push({ size, httpPerSecond: http.opsPerSecond, httpP50: http.p50, httpP99: http.p99, sqlMeanMs: sql.mean, loadSeconds });
      console.log(
        `pool ${size.toLocaleString().padStart(10)}: HTTP ${fmt(http.opsPerSecond, 0)} alloc/s (p50 ${fmt(http.p50, 2)} ms, p99 ${fmt(http.p99, 2)} ms); ` +
          `statement alone ${fmt(sql.mean, 3)} ms; pool loaded in ${fmt(loadSeconds, 1)} s`,
      );
    } finally {
      await svc.stop();
    }
  }
  const first = rows[0];
  const last = rows[rows.length - 1];
  console.log(
    `slowdown ${first.size.toLocaleString()} -> ${last.size.toLocaleString()}: HTTP ${fmt(first.httpPerSecond / last.httpPerSecond, 2)}x, ` +
      `statement ${fmt(last.sqlMeanMs / first.sqlMeanMs, 2)}x  (target < 1.5x)`,
  );
  return [
    { name: 'sizes.http_slowdown_ratio', value: first.httpPerSecond / last.httpPerSecond, baseline: null, unit: 'x', target: '< 1.5' },
    { name: 'sizes.statement_slowdown_ratio', value: last.sqlMeanMs / first.sqlMeanMs, baseline: null, unit: 'x', target: '< 1.5' },
    ...rows.map((r) => ({ name: `sizes.http_p99_ms_${r.size}`, value: r.httpP99, baseline: null, unit: 'ms', target: null })),
  ];
}
