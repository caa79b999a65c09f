import { NeutronApi, OpenStackHttp } from '@app/openstack';
import { peerAvailable, startPeer } from './peers';

export const neutronAvailable = (suite: string) => peerAvailable(suite, 'neutron-server', ['/usr/bin/neutron-server'], 'neutron.sh');

export interface NeutronPeer {
  url: string;
  dir: string;
  /** Calls Neutron's API (noauth), e.g. ('POST', '/v2.0/networks', {...}). */
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startNeutron(env: {
  macpoolUrl?: string;
  token?: string;
  failOpen?: boolean;
  withHook?: boolean;
}): Promise<NeutronPeer> {
  const peer = await startPeer(
    'neutron.sh',
    'NEUTRON_PORT',
    {
      MACPOOL_URL: env.macpoolUrl ?? '',
      MACPOOL_TOKEN: env.token ?? '',
      MACPOOL_FAIL_OPEN: env.failOpen ? 'true' : 'false',
      NEUTRON_WITH_HOOK: env.withHook === false ? '' : '1',
    },
    150_000,
  );
  const url = `http://127.0.0.1:${peer.port}`;
  const neutron = new NeutronApi(new OpenStackHttp(), null, url);
  return {
    url,
    dir: peer.dir,
    async api(method, path, body) {
      const res = await neutron.request(method, path, body);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    stop: () => peer.stop(),
  };
}
