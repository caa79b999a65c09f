import { OpenStackHttp } from './http';
import { NeutronApi } from './neutron-api';

/** A noauth Neutron behind a fake fetch holding `count` ports, answering pages as Neutron does. */
function fakeNeutron(count: number, status = 200) {
  const ids = Array.from({ length: count }, (_, i) => `p${String(i).padStart(5, '0')}`);
  const urls: URL[] = [];
  const fetchFake = jest.fn(async (input: string | URL | Request) => {
    const url = new URL(String(input));
    urls.push(url);
    if (status !== 200) return new Response('{"NeutronError": "nope"}', { status });
    const limit = Number(url.searchParams.get('limit'));
    const marker = url.searchParams.get('marker');
    const from = marker ? ids.indexOf(marker) + 1 : 0;
    const ports = ids.slice(from, from + limit).map((id) => ({ id, mac_address: 'FA:16:3E:00:00:01' }));
    return new Response(JSON.stringify({ ports }), { status: 200 });
  });
  return { api: new NeutronApi(new OpenStackHttp({ fetch: fetchFake as typeof fetch }), null, 'http://neutron:9696/net'), urls };
}

describe('Neutron API', () => {
  it('lists every port, a page of 1000 at a time by id, under the endpoint path', async () => {
    const n = fakeNeutron(2500);
    const ports = await n.api.listPorts();
    expect(ports).toHaveLength(2500);
    expect(new Set(ports.map((p) => p.id)).size).toBe(2500);
    expect(n.urls.map((u) => u.searchParams.get('marker'))).toEqual([null, 'p00999', 'p01999']);
    expect(n.urls[0].pathname).toBe('/net/v2.0/ports');
    expect(n.urls[0].searchParams.getAll('fields')).toEqual(['id', 'mac_address', 'device_owner']);
  });

  it('says what Neutron answered to a refused list (neutron_error)', async () => {
    await expect(fakeNeutron(1, 500).api.listPorts()).rejects.toMatchObject({
      kind: 'upstream',
      code: 'neutron_error',
      message: 'Neutron answered 500 to the port list: {"NeutronError": "nope"}',
    });
  });

  it('says Neutron is unreachable (neutron_unreachable)', async () => {
    const fetchFake = jest.fn(async () => {
      throw new TypeError('fetch failed');
    });
    const api = new NeutronApi(new OpenStackHttp({ fetch: fetchFake as typeof fetch }), null, 'http://neutron:9696');
    await expect(api.listPorts()).rejects.toMatchObject({
      code: 'neutron_unreachable',
      message: 'Neutron at http://neutron:9696 unreachable: fetch failed',
    });
  });

  it('is not configured without a session or a URL', async () => {
    const api = new NeutronApi(new OpenStackHttp(), null);
    expect(api.configured).toBe(false);
    await expect(api.listPorts()).rejects.toMatchObject({ kind: 'conflict', code: 'neutron_not_configured' });
  });
});
