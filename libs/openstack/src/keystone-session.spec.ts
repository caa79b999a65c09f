import { DomainError } from '@app/platform/errors/domain-error';
import { CloudConfig } from './clouds-yaml';
import { KeystoneError } from './errors';
import { HttpExchange, OpenStackHttp } from './http';
import { KeystoneSession } from './keystone-session';

const cloud: CloudConfig = {
  authUrl: 'http://keystone:5000/v3',
  username: 'macpool',
  password: 's3cret',
  projectName: 'service',
  userDomainName: 'Default',
  projectDomainName: 'Default',
  regionName: 'RegionOne',
  interface: 'internal',
};

const catalog = [
  {
    type: 'network',
    endpoints: [
      { interface: 'public', region_id: 'RegionOne', url: 'http://neutron-public:9696' },
      { interface: 'internal', region_id: 'RegionTwo', url: 'http://neutron-two:9696' },
      { interface: 'internal', region_id: 'RegionOne', url: 'http://neutron-internal:9696' },
    ],
  },
];

/**
 * A Keystone stand-in behind a fake fetch: issues tok-1, tok-2, ... each valid for `lifetimeMs`
 * from the fake clock; answers other calls with what `answer` says for the token presented.
 */
function fakeKeystone(options: { lifetimeMs?: number; answer?: (token: string) => number; refuse?: Response } = {}) {
  let now = Date.parse('2026-01-01T00:00:00Z');
  let issued = 0;
  const seen: string[] = [];
  const exchanges: HttpExchange[] = [];
  const fetchFake = jest.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    if (url.endsWith('/auth/tokens')) {
      if (options.refuse) return options.refuse;
      issued++;
      await Promise.resolve(); // let concurrent callers overlap
      const expires = new Date(now + (options.lifetimeMs ?? 3_600_000)).toISOString();
      return new Response(JSON.stringify({ token: { expires_at: expires, catalog } }), {
        status: 201,
        headers: { 'X-Subject-Token': `tok-${issued}` },
      });
    }
    const token = new Headers(init?.headers).get('X-Auth-Token') ?? '';
    seen.push(token);
    return new Response('{}', { status: options.answer?.(token) ?? 200 });
  });
  const http = new OpenStackHttp({ fetch: fetchFake as typeof fetch, observer: (e) => exchanges.push(e) });
  const session = new KeystoneSession(cloud, http, { clock: { now: () => new Date(now) } });
  return {
    session,
    seen,
    exchanges,
    issued: () => issued,
    advance: (ms: number) => (now += ms),
  };
}

describe('Keystone session', () => {
  it('reuses its token until a minute before expiry, then gets a new one', async () => {
    const ks = fakeKeystone({ lifetimeMs: 10 * 60_000 });
    expect(await ks.session.token()).toBe('tok-1');
    ks.advance(8 * 60_000);
    expect(await ks.session.token()).toBe('tok-1');
    ks.advance(60_000 + 1); // 59 s left
    expect(await ks.session.token()).toBe('tok-2');
    expect(ks.issued()).toBe(2);
  });

  it('asks Keystone once for callers that need a token at the same time', async () => {
    const ks = fakeKeystone();
    expect(await Promise.all([ks.session.token(), ks.session.token(), ks.session.token()])).toEqual(['tok-1', 'tok-1', 'tok-1']);
    expect(ks.issued()).toBe(1);
  });

  it('retries a call refused with 401 once, with a fresh token', async () => {
    const ks = fakeKeystone({ answer: (token) => (token === 'tok-1' ? 401 : 200) });
    const res = await ks.session.request({ method: 'GET', url: `${cloud.authUrl}/users` });
    expect(res.status).toBe(200);
    expect(ks.seen).toEqual(['tok-1', 'tok-2']);
  });

  it('retries only once: a second 401 is the answer', async () => {
    const ks = fakeKeystone({ answer: () => 401 });
    const res = await ks.session.request({ method: 'GET', url: `${cloud.authUrl}/users` });
    expect(res.status).toBe(401);
    expect(ks.seen).toEqual(['tok-1', 'tok-2']);
    expect(ks.issued()).toBe(2);
  });

  it("says Keystone refused, with Keystone's own words and status, never the password", async () => {
    const refuse = new Response(JSON.stringify({ error: { code: 401, message: 'The request you have made requires authentication.' } }), {
      status: 401,
    });
    const ks = fakeKeystone({ refuse });
    const err = (await ks.session.token().catch((e: unknown) => e)) as KeystoneError;
    expect(err).toBeInstanceOf(KeystoneError);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ kind: 'upstream', code: 'keystone_error', status: 401 });
    expect(err.message).toBe(
      'Keystone at http://keystone:5000/v3 refused user macpool for project service: HTTP 401 The request you have made requires authentication.',
    );
    expect(err.message).not.toContain('s3cret');
  });

  it('keeps the start of a non-JSON refusal', async () => {
    const ks = fakeKeystone({ refuse: new Response('<html>Bad Gateway</html>', { status: 502 }) });
    await expect(ks.session.token()).rejects.toThrow('refused user macpool for project service: HTTP 502 <html>Bad Gateway</html>');
  });

  it('says Keystone is unreachable, as a keystone_error', async () => {
    const fetchFake = jest.fn(async () => {
      throw new TypeError('fetch failed');
    });
    const session = new KeystoneSession(cloud, new OpenStackHttp({ fetch: fetchFake as typeof fetch }));
    await expect(session.token()).rejects.toMatchObject({
      code: 'keystone_error',
      status: 0,
      message: 'Keystone at http://keystone:5000/v3 unreachable (POST /auth/tokens): fetch failed',
    });
  });

  it("finds the cloud's interface and region in the catalog, and names what is missing", async () => {
    const ks = fakeKeystone();
    expect(await ks.session.endpoint('network')).toBe('http://neutron-internal:9696');
    await expect(ks.session.endpoint('compute')).rejects.toThrow(
      `Keystone's catalog has no internal "compute" endpoint in region RegionOne`,
    );
  });

  it('tells the observer of every exchange: token issuance as auth, reads, writes', async () => {
    const ks = fakeKeystone();
    await ks.session.request({ method: 'GET', url: `${cloud.authUrl}/users` });
    await ks.session.request({ method: 'PUT', url: `${cloud.authUrl}/groups/g/users/u` });
    expect(ks.exchanges.map((e) => [e.kind, e.method, e.status])).toEqual([
      ['auth', 'POST', 201],
      ['read', 'GET', 200],
      ['write', 'PUT', 200],
    ]);
  });

  it('reads the cloud at first use, so missing settings surface then, not at construction', async () => {
    const session = new KeystoneSession(() => {
      throw new KeystoneError('KEYSTONE_URL is not set', 0);
    }, new OpenStackHttp());
    await expect(session.token()).rejects.toThrow('KEYSTONE_URL is not set');
  });
});
