import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port';
import { ServiceProcess, spawnService, waitForExit } from '../support/service-process';

const ADMIN = 'leftover-admin-token-0123456789';

/** Running, not a zombie: the orphaned server's new parent may not reap it at once. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const serverPid = async (dataDir: string) => Number((await readFile(join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);

async function gone(pid: number, ms = 30_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

/** mac-pool without DATABASE_URL: its own PostgreSQL, a child process, in its data dir. */
describe('embedded PostgreSQL left running by a SIGKILLed service', () => {
  const dirs: string[] = [];
  const services: ServiceProcess[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'macpool-leftover-'));
    dirs.push(dir);
    return dir;
  };
  const start = async (env: Record<string, string>, options = {}) => {
    const service = await spawnService({ MACPOOL_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'info', ...env }, options);
    services.push(service);
    return service;
  };

  afterAll(async () => {
    for (const s of services) await s.stop('SIGTERM').catch(() => undefined);
    for (const dir of dirs) {
      const pid = await serverPid(dir).catch(() => 0);
      if (pid && alive(pid)) process.kill(pid, 'SIGQUIT');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops the server it left on its own data dir and starts again, data kept', async () => {
    const dataDir = await tempDir();
    const env = { MACPOOL_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) };
    const first = await start(env);
    const headers = { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' };
    expect((await fetch(`${first.url}/v1/pools`, { method: 'POST', headers, body: JSON.stringify({ name: 'kept' }) })).status).toBe(201);
    const leftover = await serverPid(dataDir);

    expect(await first.stop('SIGKILL')).toBeNull();
    expect(alive(leftover)).toBe(true); // the server outlives the service

    const second = await start(env);
    expect(second.output()).toContain(`a server (pid ${leftover}) left running`);
    expect(alive(leftover)).toBe(false);
    const pools = (await (await fetch(`${second.url}/v1/pools`, { headers })).json()) as Array<{ name: string }>;
    expect(pools.map((p) => p.name)).toEqual(['kept']);

    const replacement = await serverPid(dataDir);
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(await gone(replacement)).toBe(true); // a clean stop leaves nothing behind
  });

  it('also when the port changed since, and never touches a PostgreSQL of another data dir', async () => {
    const dataDir = await tempDir();
    const first = await start({ MACPOOL_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) });
    const leftover = await serverPid(dataDir);
    await first.stop('SIGKILL');

    // Someone else's PostgreSQL (another service's, its own data dir) holds the port this
    // service is now configured for.
    const otherDir = await tempDir();
    const port = await freePort();
    const other = await start({ MACPOOL_DATA_DIR: otherDir, EMBEDDED_PG_PORT: String(port) });
    const otherServer = await serverPid(otherDir);

    const refused = await start({ MACPOOL_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port) }, { waitReady: false });
    expect(await waitForExit(refused.proc, 60_000)).toBe(1);
    expect(refused.output()).toContain(`port ${port} on 127.0.0.1 is taken`);
    expect(alive(leftover)).toBe(false); // its own leftover was stopped first
    expect(alive(otherServer)).toBe(true); // the other one untouched
    expect((await fetch(`${other.url}/health/ready`)).status).toBe(200);

    const moved = await start({ MACPOOL_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) });
    expect((await fetch(`${moved.url}/health/ready`)).status).toBe(200);
    expect(await moved.stop('SIGTERM')).toBe(0);
    expect(await other.stop('SIGTERM')).toBe(0);
  });
});
