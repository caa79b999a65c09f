import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAC_POOL_MAIN, freePort, spawnService, waitForExit } from '../support/service-process';

/** The process as `npm start` runs it: no DATABASE_URL → embedded PostgreSQL under the data dir. */
describe('mac-pool process: embedded PostgreSQL, admin token, config errors, graceful stop', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'macpool-svc-'));
    await chmod(dataDir, 0o755);
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  const postgresRunningOn = (dir: string) => {
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    return ps.split('\n').some((l) => l.includes('postgres') && l.includes(dir));
  };

  it('starts on an embedded PostgreSQL, creates an admin token once, and stops it on SIGTERM', async () => {
    const pgPort = String(await freePort());
    const svc = await spawnService({ MACPOOL_DATA_DIR: dataDir, EMBEDDED_PG_PORT: pgPort });
    const tokenFile = join(dataDir, 'admin-token');
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    const token = (await readFile(tokenFile, 'utf8')).trim();
    expect(svc.output()).toContain(tokenFile);
    expect(svc.output()).not.toContain(token);
    const res = await fetch(`${svc.url}/v1/pools`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'persisted' }),
    });
    expect(res.status).toBe(201);
    expect(postgresRunningOn(dataDir)).toBe(true);

    // Every log line is JSON.
    const lines = svc.output().trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();

    expect(await svc.stop('SIGTERM')).toBe(0);
    expect(svc.output()).toMatch(/"msg":"stopped"/);
    expect(postgresRunningOn(dataDir)).toBe(false);

    // Restart on the same data: same token, data kept, no new token written.
    const again = await spawnService({ MACPOOL_DATA_DIR: dataDir, EMBEDDED_PG_PORT: pgPort });
    expect((await readFile(tokenFile, 'utf8')).trim()).toBe(token);
    const list = await fetch(`${again.url}/v1/pools`, { headers: { Authorization: `Bearer ${token}` } });
    expect(((await list.json()) as Array<{ name: string }>).map((p) => p.name)).toEqual(['persisted']);
    expect(await again.stop('SIGINT')).toBe(0);
    expect(postgresRunningOn(dataDir)).toBe(false);
  });

  it('finishes an in-flight request before stopping', async () => {
    const svc = await spawnService({ MACPOOL_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) });
    const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    await fetch(`${svc.url}/v1/pools`, { method: 'POST', headers, body: JSON.stringify({ name: 'inflight' }) });
    // A slow upload: the body arrives over 1.5 s while SIGTERM is sent.
    const body = new ReadableStream({
      async start(controller) {
        for (let i = 0; i < 3; i++) {
          controller.enqueue(new TextEncoder().encode(`02:99:00:00:00:0${i}\n`));
          await new Promise((r) => setTimeout(r, 500));
        }
        controller.close();
      },
    });
    const upload = fetch(`${svc.url}/v1/pools/inflight/macs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' },
      body,
      duplex: 'half',
    } as RequestInit);
    await new Promise((r) => setTimeout(r, 300));
    const stopped = svc.stop('SIGTERM');
    const res = await upload;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { added: number }).added).toBe(3);
    expect(await stopped).toBe(0);
  });

  it('refuses to start with a message naming a bad variable', async () => {
    const svc = await spawnService({ MACPOOL_DATA_DIR: dataDir, PORT: '99999', DATABASE_URL: 'mysql://nope' }, { waitReady: false });
    expect(await waitForExit(svc.proc, 15000)).toBe(1);
    expect(svc.output()).toContain('PORT="99999": must be <= 65535');
    expect(svc.output()).toContain('DATABASE_URL=(secret, not shown): must start with postgres://');
  });

  it('says clearly when the embedded PostgreSQL port is taken', async () => {
    const port = await freePort();
    const blocker: Server = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    try {
      const svc = await spawnService({ MACPOOL_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port) }, { waitReady: false });
      expect(await waitForExit(svc.proc, 15000)).toBe(1);
      expect(svc.output()).toContain(`port ${port} on 127.0.0.1 is taken`);
      expect(svc.output()).toContain('DATABASE_URL');
    } finally {
      blocker.close();
    }
  });

  it('prints its configuration with --help', () => {
    const help = execFileSync(process.execPath, [MAC_POOL_MAIN, '--help'], { encoding: 'utf8' });
    for (const name of ['HOST', 'PORT', 'DATABASE_URL', 'MACPOOL_ADMIN_TOKEN', 'MACPOOL_MAX_RANGE']) expect(help).toContain(name);
    expect(help).toMatch(/PORT\s+HTTP port \(default 8080\)/);
  });
});
