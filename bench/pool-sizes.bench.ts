import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client, Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Figure } from './figures';
import { api, createDatabase, fmt, load, reserveOverHttp, startService } from './harness';
import { RESERVE_FROM_POOL } from '../apps/mac-pool/src/allocations/allocation.repository';

const macText = (n: number) => {
  const hex = (0x02 * 2 ** 40 + n).toString(16).padStart(12, '0');
  return hex.match(/../g)!.join(':');
};

/** MACs first..first+count-1 as COPY text lines, in chunks (16M lines are 290 MB of text). */
function* copyLines(count: number, chunk = 65536): Generator<string> {
  for (let start = 0; start < count; start += chunk) {
    let text = '';
    for (let n = start; n < Math.min(count, start + chunk); n++) text += `${macText(n)}\n`;
    yield text;
  }
}

/** Seconds for a plain COPY of the pool's MACs into a bare table keyed by MAC: the floor of a load. */
async function plainCopySeconds(url: string, size: number): Promise<number> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    await pg.query('CREATE TABLE plain_copy (mac macaddr PRIMARY KEY)');
    const t0 = performance.now();
    await pipeline(Readable.from(copyLines(size)), pg.query(copyFrom('COPY plain_copy FROM STDIN')));
    const seconds = (performance.now() - t0) / 1000;
    await pg.query('DROP TABLE plain_copy');
    return seconds;
  } finally {
    await pg.end();
  }
}

/**
 * Allocation cost as the pool grows: 10k, 1M, 16M MACs. Target: < 1.5x slowdown from the
 * smallest to the largest, through HTTP and for the statement alone. Also the load of each pool
 * (one first-last range line) next to a plain COPY of the same MACs; target for the largest <= 3x.
 */
export async function benchPoolSizes(adminUrl: string, sizes: number[], { allocations = 5000, concurrency = 32 } = {}): Promise<Figure[]> {
  const rows: Array<{
    size: number;
    httpPerSecond: number;
    httpP50: number;
    httpP99: number;
    sqlMeanMs: number;
    loadSeconds: number;
    copySeconds: number;
  }> = [];
  for (const size of sizes) {
    const url = await createDatabase(adminUrl, `bench_size_${size}`);
    const copySeconds = await plainCopySeconds(url, size);
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
        async (i) => void (await pg.query({ ...RESERVE_FROM_POOL, values: [`sql-${i}`, null, null, null, null, 'bench', id] })),
      );
      await pg.end();
      rows.push({
        size,
        httpPerSecond: http.opsPerSecond,
        httpP50: http.p50,
        httpP99: http.p99,
        sqlMeanMs: sql.mean,
        loadSeconds,
        copySeconds,
      });
      console.log(
        `pool ${size.toLocaleString().padStart(10)}: HTTP ${fmt(http.opsPerSecond, 0)} alloc/s (p50 ${fmt(http.p50, 2)} ms, p99 ${fmt(http.p99, 2)} ms); ` +
          `statement alone ${fmt(sql.mean, 3)} ms; pool loaded in ${fmt(loadSeconds, 1)} s (plain COPY ${fmt(copySeconds, 1)} s, ${fmt(loadSeconds / copySeconds, 2)}x)`,
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
    { name: `sizes.load_seconds_${last.size}`, value: last.loadSeconds, baseline: last.copySeconds, unit: 's', target: null },
    { name: `sizes.load_ratio_${last.size}`, value: last.loadSeconds / last.copySeconds, baseline: null, unit: 'x', target: '<= 3' },
  ];
}
