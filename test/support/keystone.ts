import { peerAvailable, startPeer } from './peers';

export const KEYSTONE_ADMIN_PASSWORD = 'admin-secret-e2e';

export const keystoneAvailable = (suite: string) =>
  peerAvailable(suite, 'keystone', ['/usr/bin/keystone-manage', '/usr/bin/uwsgi'], 'keystone.sh');

export interface KeystonePeer {
  /** The v3 URL, e.g. http://127.0.0.1:PORT/v3 */
  url: string;
  /** Calls the v3 API as the bootstrap admin (project admin). */
  admin<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startKeystone(): Promise<KeystonePeer> {
  const peer = await startPeer('keystone.sh', 'KEYSTONE_PORT', { KEYSTONE_ADMIN_PASSWORD }, 180_000);
  const url = `http://127.0.0.1:${peer.port}/v3`;
  let token: string | undefined;
  const adminToken = async () => {
    if (token) return token;
    const res = await fetch(`${url}/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'admin', domain: { name: 'Default' }, password: KEYSTONE_ADMIN_PASSWORD } },
          },
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
    stop: () => peer.stop(),
  };
}
