const { EmbeddedPostgres } = require('./dist/libs/platform/src/database/embedded-postgres');
const { Client } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');
const { Readable } = require('stream');
const { pipeline } = require('stream/promises');
const fs = require('fs');
(async () => {
  fs.rmSync('/tmp/exp-pg', { recursive: true, force: true });
  fs.mkdirSync('/tmp/exp-pg'); fs.chmodSync('/tmp/exp-pg', 0o755);
  const pg = new EmbeddedPostgres({ dataDir: '/tmp/exp-pg', port: 54999 });
  const url = await pg.start();
  const c = new Client({ connectionString: url }); await c.connect();
  const n = 1000000;
  let rows = '';
  for (let i = 0; i < n; i++) { const h = (0x0a * 2 ** 40 + i).toString(16).padStart(12, '0'); rows += `${i + 2}\t${h.match(/../g).join(':')}\thost-${i}.bench.example\t\\N\t\\N\track ${i % 40}\n`; }
  const time = async (label, f) => { const t = performance.now(); await f(); console.log(label, Math.round(performance.now() - t)); };
  await c.query(`CREATE TYPE mac_state AS ENUM ('free','reserved','allocated','quarantined')`);
  const mk = async (name, idx) => {
    await c.query(`CREATE TABLE ${name} (mac macaddr PRIMARY KEY, pool_id int NOT NULL, state mac_state NOT NULL DEFAULT 'free', hostname text, ipv4 inet, ipv6 inet, description text, port_id text, device_id text, device_owner text, project_id text, network_id text, expires_at timestamptz, available_since timestamptz NOT NULL DEFAULT '-infinity', state_changed_at timestamptz NOT NULL DEFAULT now())`);
    for (const i of idx) await c.query(i.replace(/TBL/g, name));
  };
  await c.query('BEGIN');
  await c.query('CREATE TEMP TABLE st (line int, mac macaddr, hostname text, ipv4 inet, ipv6 inet, description text)');
  await time('copy to temp staging', () => pipeline(Readable.from([rows]), c.query(copyFrom('COPY st FROM STDIN'))));
  await time('index staging', () => c.query('CREATE INDEX ON st (mac); ANALYZE st'));
  await time('dups', () => c.query('SELECT mac FROM st GROUP BY mac HAVING count(*) > 1'));
  await c.query('COMMIT');
  await mk('m5', ["CREATE INDEX ON TBL USING hash (split_part(hostname, '.', 1)) WHERE state = 'free' AND hostname IS NOT NULL"]);
  await time('insert pk + host hash', () => c.query('INSERT INTO m5 (mac, pool_id, hostname, description) SELECT mac, 1, hostname, description FROM st'));
  await mk('m6', ["CREATE INDEX ON TBL (pool_id, (hostname IS NOT NULL), available_since, mac) WHERE state = 'free'", "CREATE INDEX ON TBL USING hash (split_part(hostname, '.', 1)) WHERE state = 'free' AND hostname IS NOT NULL"]);
  await time('upsert all (hash)', () => c.query(`WITH r AS (INSERT INTO m6 AS x (mac, pool_id, hostname, description) SELECT s.mac, 1, s.hostname, s.description FROM st s ON CONFLICT (mac) DO UPDATE SET hostname = EXCLUDED.hostname, description = EXCLUDED.description WHERE x.pool_id = EXCLUDED.pool_id AND (x.hostname, x.ipv4, x.ipv6, x.description) IS DISTINCT FROM (EXCLUDED.hostname, EXCLUDED.ipv4, EXCLUDED.ipv6, EXCLUDED.description) RETURNING (xmax = 0) AS ins) SELECT count(*) FILTER (WHERE ins), count(*) FILTER (WHERE NOT ins) FROM r`));
  await time('upsert again (all unchanged)', () => c.query(`WITH r AS (INSERT INTO m6 AS x (mac, pool_id, hostname, description) SELECT s.mac, 1, s.hostname, s.description FROM st s ON CONFLICT (mac) DO UPDATE SET hostname = EXCLUDED.hostname, description = EXCLUDED.description WHERE x.pool_id = EXCLUDED.pool_id AND (x.hostname, x.ipv4, x.ipv6, x.description) IS DISTINCT FROM (EXCLUDED.hostname, EXCLUDED.ipv4, EXCLUDED.ipv6, EXCLUDED.description) RETURNING (xmax = 0) AS ins) SELECT count(*) FILTER (WHERE ins), count(*) FILTER (WHERE NOT ins) FROM r`));
  await time('other pools join', () => c.query('SELECT s.line FROM st s JOIN m6 x ON x.mac = s.mac WHERE x.pool_id <> 1 LIMIT 1000'));
  await c.query('CREATE TABLE plain (mac macaddr PRIMARY KEY, hostname text, description text)');
  await time('plain copy', () => pipeline(Readable.from([rows.replace(/^\d+\t/gm, '').replace(/\t\\N\t\\N/g, '')]), c.query(copyFrom('COPY plain FROM STDIN'))));
  await c.end(); await pg.stop();
})();
