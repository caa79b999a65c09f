import { KeystoneSession, OpenStackHttp } from '@app/openstack';
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
  const session = new KeystoneSession(
    {
      authUrl: url,
      username: 'admin',
      password: KEYSTONE_ADMIN_PASSWORD,
      projectName: 'admin',
      userDomainName: 'Default',
      projectDomainName: 'Default',
      interface: 'public',
    },
    // Generous: a busy test machine, and no test here is about timeouts.
    new OpenStackHttp({ timeoutMs: 60_000 }),
  );
  return {
    url,
    async admin(method, path, body) {
      const res = await session.request({ method, url: `${url}${path}`, body });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    stop: () => peer.stop(),
  };
}
