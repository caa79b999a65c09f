import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './service-process';

const run = promisify(execFile);
const SCRIPT = join(__dirname, '../peers/neutron.sh');

/**
 * Whether the real neutron-server can run here. Absent: the suite is skipped with a loud line,
 * except under CI (CI=true), where a skipped peer suite is a failure.
 */
export function neutronAvailable(suite: string): boolean {
  if (existsSync('/usr/bin/neutron-server')) return true;
  const why = `${suite}: SKIPPED, neutron-server is not installed (run test/peers/neutron.sh install)`;
  if (process.env.CI === 'true') throw new Error(`${why}; under CI a skipped peer suite is a failure`);
  console.warn(`\n!!! ${why} !!!\n`);
  return false;
}

export interface NeutronPeer {
  url: string;
  dir: string;
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startNeutron(env: { macpoolUrl?: string; token?: string; failOpen?: boolean; withHook?: boolean }): Promise<NeutronPeer> {
  const dir = await mkdtemp(join(tmpdir(), 'neutron-peer-'));
  const port = await freePort();
  try {
    await run(SCRIPT, ['start', dir], {
      env: {
        ...process.env,
        NEUTRON_PORT: String(port),
        MACPOOL_URL: env.macpoolUrl ?? '',
        MACPOOL_TOKEN: env.token ?? '',
        MACPOOL_FAIL_OPEN: env.failOpen ? 'true' : 'false',
        NEUTRON_WITH_HOOK: env.withHook === false ? '' : '1',
      },
      timeout: 150_000,
    });
  } catch (err) {
    await run(SCRIPT, ['stop', dir]).catch(() => undefined);
    throw new Error(`neutron-server did not start: ${(err as { stderr?: string }).stderr ?? err}`);
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    dir,
    async api(method, path, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      await run(SCRIPT, ['stop', dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
