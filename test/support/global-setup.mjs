// One PostgreSQL for the whole run: DATABASE_URL if given (any PostgreSQL), else an embedded one
// in a temp dir. Each e2e file creates its own database on it (test/support/database.ts).
import { mkdtemp, chmod } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  if (process.env.DATABASE_URL) {
    process.env.TEST_ADMIN_DATABASE_URL = process.env.DATABASE_URL;
    console.log(`\n[tests] using the PostgreSQL given by DATABASE_URL`);
    return;
  }
  // The compiled platform (npm test builds first) holds the one embedded-postgres launcher.
  const { EmbeddedPostgres } = require('../../dist/libs/platform/src/database/embedded-postgres.js');
  const dir = await mkdtemp(join(tmpdir(), 'macpool-test-pg-'));
  await chmod(dir, 0o755);
  const pg = new EmbeddedPostgres({ dataDir: dir, port: await freePort(), fast: true });
  const started = Date.now();
  process.env.TEST_ADMIN_DATABASE_URL = await pg.start();
  globalThis.__EMBEDDED_PG__ = { pg, dir };
  console.log(`\n[tests] embedded PostgreSQL up in ${Date.now() - started} ms (${dir})`);
}
