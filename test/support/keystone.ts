import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './service-process';

const run = promisify(execFile);
const SCRIPT = join(__dirname, '../peers/keystone.sh');
export const KEYSTONE_ADMIN_PASSWORD = 'admin-secret-e2e';

/** Like neutronAvailable: absent Keystone skips loudly, and fails under CI. */
export function keystoneAvailable(suite: string): boolean {
  if (existsSync('/usr/bin/keystone-manage') && existsSync('/usr/bin/uwsgi')) return true;
  const why = `${suite}: SKIPPED, keystone is not installed (run test/peers/keystone.sh install)`;
  if (process.env.CI === 'true') throw new Error(`${why}; under CI a skipped peer suite is a failure`);
  console.warn(`\n!!! ${why} !!!\n`);
  return false;
}

export interface KeystonePeer {
  /** The v3 URL, e.g. http://127.0.0.1:PORT/v3 */
  url: string;
  /** Calls the v3 API as the bootstrap admin (project admin). */
  admin<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startKeystone(): Promise<KeystonePeer> {
  const dir = await mkdtemp(join(tmpdir(), 'keystone-peer-'));
  const port = await freePort();
  try {
    await run(SCRIPT, ['start', dir], { env: { ...process.env, KEYSTONE_PORT: String(port), KEYSTONE_ADMIN_PASSWORD }, timeout: 180_000 });
  } catch (err) {
    await run(SCRIPT, ['stop', dir]).catch(() => undefined);
    throw new Error(`keystone did not start: ${(err as { stderr?: string }).stderr ?? err}`);
  }
  const url = `http://127.0.0.1:${port}/v3`;
  let token: string | undefined;
  const adminToken = async () => {
    if (token) return token;
    const res = await fetch(`${url}/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: 'admin', domain: { name: 'Default' }, password: KEYSTONE_ADMIN_PASSWORD } } },
          scope: { project: { name: 'admin', domain: { name: 'Default' } } },
        },
      }),
    });
    token = res.headers.get('x-subject-token') ?? undefined;
    if (!token) throw new Error(`admin token refused: ${res.status}`);
    return token;
  };
  return {
    url,
    async admin(method, path, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json', 'X-Auth-Token': await adminToken() },
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
