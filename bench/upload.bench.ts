import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Figure } from './figures';
import { api, createDatabase, fmt, macLines, startService } from './harness';

/**
 * Upload of a 1,000,000-line CSV through the API, next to a plain COPY of the same rows into a
 * table keyed by MAC in the same run. Two files: every line with a hostname (the worst case: each
 * row also enters the hostname index) and MAC + description only. Targets for the hostnames file: < 6 s, <= 3x COPY.
 */
export async function benchUpload(adminUrl: string, lines = 1_000_000): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const withHostnames of [true, false]) figures.push(...(await benchOneUpload(adminUrl, lines, withHostnames)));
  return figures;
}

async function benchOneUpload(adminUrl: string, lines: number, withHostnames: boolean): Promise<Figure[]> {
  const url = await createDatabase(adminUrl, 'bench_upload');
  const macs = macLines(lines, 0x0a);
  const hostname = (i: number) => (withHostnames ? `host-${i}.bench.example` : '');
  const csv = `mac,hostname,description\n${macs.map((m, i) => `${m},${hostname(i)},rack ${i % 40}`).join('\n')}\n`;
  const bytes = Buffer.from(csv);

  const pg = new Client({ connectionString: url });
  await pg.connect();
  await pg.query('CREATE TABLE plain_copy (mac macaddr PRIMARY KEY, hostname text, description text)');
  const copyRows = macs.map((m, i) => `${m}\t${withHostnames ? hostname(i) : '\\N'}\track ${i % 40}\n`).join('');
  const c0 = performance.now();
  await pipeline(Readable.from([copyRows]), pg.query(copyFrom('COPY plain_copy FROM STDIN')));
  const copyMs = performance.now() - c0;
  await pg.end();

  const svc = await startService(url);
  let uploadMs: number;
  try {
    await api(svc.url, 'POST', '/v1/pools', { name: 'big' });
    const t0 = performance.now();
    const res = await api(svc.url, 'POST', '/v1/pools/big/macs', bytes, 'text/csv');
    uploadMs = performance.now() - t0;
    if (res.status !== 200 || res.body.added !== lines)
      throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  } finally {
    await svc.stop();
  }
  const intoMacsMs = await copyIntoMacs(adminUrl, macs, hostname);
  const what = withHostnames ? 'mac,hostname,description' : 'mac,,description';
  console.log(`${lines.toLocaleString()} CSV lines "${what}" (${fmt(bytes.length / 1048576)} MiB):`);
  console.log(
    `  through the API ${fmt(uploadMs / 1000, 2)} s (target < 6 s); plain COPY ${fmt(copyMs / 1000, 2)} s; ratio ${fmt(uploadMs / copyMs, 2)}x (target <= 3x)`,
  );
  console.log(
    `  COPY into macs, no service: ${fmt(intoMacsMs / 1000, 2)} s (${fmt(intoMacsMs / copyMs, 2)}x plain COPY: the table's indexes); API / that: ${fmt(uploadMs / intoMacsMs, 2)}x (the service's share)`,
  );
  const name = withHostnames ? 'upload.hostnames' : 'upload.no_hostnames';
  return [
    { name: `${name}_seconds`, value: uploadMs / 1000, baseline: copyMs / 1000, unit: 's', target: '< 6' },
    { name: `${name}_ratio`, value: uploadMs / copyMs, baseline: null, unit: 'x', target: '<= 3' },
    { name: `${name}_copy_into_macs_seconds`, value: intoMacsMs / 1000, baseline: copyMs / 1000, unit: 's', target: null },
    { name: `${name}_service_share_ratio`, value: uploadMs / intoMacsMs, baseline: null, unit: 'x', target: null },
  ];
}

/**
 * The database's share of an upload: the same rows COPYed by a bare client straight into `macs`
 * (its primary key and indexes, as the service's straight path fills it), in a database of their
 * own whose schema the service made. What the API takes beyond this is the service's.
 */
async function copyIntoMacs(adminUrl: string, macs: string[], hostname: (i: number) => string): Promise<number> {
  const url = await createDatabase(adminUrl, 'bench_upload_direct');
  const svc = await startService(url);
  try {
    await api(svc.url, 'POST', '/v1/pools', { name: 'direct' });
  } finally {
    await svc.stop();
  }
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    const [{ id }] = (await pg.query(`SELECT id FROM pools WHERE name = 'direct'`)).rows;
    const rows = macs.map((m, i) => `${id}\t${m}\t${hostname(i) || '\\N'}\t\\N\t\\N\track ${i % 40}\n`).join('');
    const t0 = performance.now();
    await pg.query('BEGIN');
    await pipeline(Readable.from([rows]), pg.query(copyFrom('COPY macs (pool_id, mac, hostname, ipv4, ipv6, description) FROM STDIN')));
    await pg.query('COMMIT');
    return performance.now() - t0;
  } finally {
    await pg.end();
  }
}
