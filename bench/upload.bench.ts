import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { api, createDatabase, fmt, macLines, startService } from './harness';

/**
 * Upload of a 1,000,000-line CSV through the API, next to a plain COPY of the same rows into a
 * bare table in the same run. Targets: < 10 s, <= 3x the plain COPY.
 */
export async function benchUpload(adminUrl: string, lines = 1_000_000): Promise<Record<string, number>> {
  const url = await createDatabase(adminUrl, 'bench_upload');
  const macs = macLines(lines, 0x0a);
  const csv = `mac,hostname,description\n${macs.map((m, i) => `${m},host-${i}.bench.example,rack ${i % 40}`).join('\n')}\n`;
  const bytes = Buffer.from(csv);

  // Baseline: COPY of the same rows (mac, hostname, description) into a table with a primary key.
  const pg = new Client({ connectionString: url });
  await pg.connect();
  await pg.query('CREATE TABLE plain_copy (mac macaddr PRIMARY KEY, hostname text, description text)');
  const copyRows = macs.map((m, i) => `${m}\thost-${i}.bench.example\track ${i % 40}\n`).join('');
  const c0 = performance.now();
  await pipeline(Readable.from([copyRows]), pg.query(copyFrom('COPY plain_copy FROM STDIN')));
  const copyMs = performance.now() - c0;
  await pg.end();

  const svc = await startService(url);
  try {
    await api(svc.url, 'POST', '/v1/pools', { name: 'big' });
    const t0 = performance.now();
    const res = await api(svc.url, 'POST', '/v1/pools/big/macs', bytes, 'text/csv');
    const uploadMs = performance.now() - t0;
    if (res.status !== 200 || res.body.added !== lines) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
    console.log(`upload ${lines.toLocaleString()} CSV lines (${fmt(bytes.length / 1048576)} MiB) through the API: ${fmt(uploadMs / 1000, 2)} s  (target < 10 s)`);
    console.log(`plain COPY of the same rows into a bare table:           ${fmt(copyMs / 1000, 2)} s`);
    console.log(`ratio API / plain COPY: ${fmt(uploadMs / copyMs, 2)}x  (target <= 3x)`);
    return { uploadMs, copyMs, ratio: uploadMs / copyMs };
  } finally {
    await svc.stop();
  }
}
