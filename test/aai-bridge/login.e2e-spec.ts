import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../support/database';
import { KEYSTONE_ADMIN_PASSWORD, KeystonePeer, keystoneAvailable, startKeystone } from '../support/keystone';
import { makeKeyPair } from '../support/saml-fixtures';
import { Browser, loginAtIdp, postToAcs } from '../support/saml-login';
import { ServiceProcess, freePort, spawnService } from '../support/service-process';
import { IdpPeer, idpAvailable, startIdp } from '../support/simplesamlphp';

const ADMIN = 'aai-login-admin-token-012345';
const AAI_MAIN = join(__dirname, '../../dist/apps/aai-bridge/src/main.js');
const peers = idpAvailable('SAML login e2e') && keystoneAvailable('SAML login e2e') ? describe : describe.skip;

const RULES = {
  rules: [
    { local: [{ user: { name: '{0}', email: '{1}' } }], remote: [{ type: 'eduPersonPrincipalName' }, { type: 'mail' }] },
    { local: [{ projects: [{ name: 'cms', roles: [{ name: 'member' }] }] }], remote: [{ type: 'isMemberOf', any_one_of: ['infn:cms'] }] },
    { local: [{ projects: [{ name: 'lhcb', roles: [{ name: 'member' }] }] }], remote: [{ type: 'eduPersonEntitlement', any_one_of: ['urn:mace:infn.it:lhcb'] }] },
  ],
};

/** A real login: SimpleSAMLphp IdP → aai-bridge ACS (two nodes on one database) → real Keystone. */
peers('SAML login through the real IdP into the real Keystone', () => {
  let dir: string;
  let keystone: KeystonePeer;
  let idp: IdpPeer;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let nodes: ServiceProcess[] = [];
  let publicUrl: string;

  const alice = (groups: string[], entitlements: string[]) => ({
    alice: {
      password: 'alice-pass',
      attributes: {
        eduPersonPrincipalName: ['alice@infn.it'],
        mail: ['alice@cnaf.infn.it'],
        displayName: ['Alice Rossi'],
        isMemberOf: groups,
        eduPersonEntitlement: entitlements,
      },
    },
  });
  const api = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${publicUrl}${path}`, { ...init, headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as any };
  };
  const rolesOf = async (userId: string) =>
    (await keystone.admin('GET', `/role_assignments?user.id=${userId}&include_names=true`)).body.role_assignments.map((a: any) => `${a.scope.project.name}:${a.role.name}`).sort();
  const login = async (browser: Browser, acsNode = 0, startNode = 0) => {
    const post = await loginAtIdp(browser, nodes[startNode].url, 'alice', 'alice-pass');
    return { post, res: await postToAcs(browser, `${nodes[acsNode].url}/saml/acs`, post) };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aai-login-'));
    db = await createTestDatabase();
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    const sp = makeKeyPair(dir, 'sp');
    [keystone, idp] = await Promise.all([
      startKeystone(),
      startIdp({ entityId: `${publicUrl}/saml/metadata`, acsUrl: `${publicUrl}/saml/acs`, sloUrl: `${publicUrl}/saml/slo`, certFile: sp.cert }),
    ]);
    for (const name of ['cms', 'lhcb']) await keystone.admin('POST', '/projects', { project: { name, domain_id: 'default' } });
    await idp.setUsers(alice(['infn:cms'], ['urn:mace:infn.it:lhcb']));
    const env = {
      DATABASE_URL: db.url,
      AAI_ADMIN_TOKEN: ADMIN,
      AAI_PUBLIC_URL: publicUrl,
      AAI_SP_KEY: sp.key,
      AAI_SP_CERT: sp.cert,
      AAI_IDP_METADATA: idp.metadataUrl,
      KEYSTONE_URL: keystone.url,
      KEYSTONE_ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
    };
    // Node 0 answers at the public URL (the VIP); node 1 is the other controller, same database.
    nodes = await Promise.all([spawnService({ ...env, PORT: String(port) }, { main: AAI_MAIN }), spawnService(env, { main: AAI_MAIN })]);
    expect((await api('/v1/mapping', { method: 'PUT', body: JSON.stringify(RULES) })).status).toBe(200);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await Promise.all([idp?.stop(), keystone?.stop()]);
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes SP metadata with its ACS and certificate', async () => {
    const xml = await (await fetch(`${publicUrl}/saml/metadata`)).text();
    expect(xml).toContain(`entityID="${publicUrl}/saml/metadata"`);
    expect(xml).toContain(`Location="${publicUrl}/saml/acs"`);
  });

  it('logs in through the IdP, provisions Keystone, and shows the identity at /me', async () => {
    const browser = new Browser();
    const { res } = await login(browser);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${publicUrl}/me`);
    const me = await browser.fetch(`${publicUrl}/me`);
    expect(me.status).toBe(200);
    const identity = (await me.json()) as any;
    expect(identity).toMatchObject({ userName: 'alice@infn.it', email: 'alice@cnaf.infn.it', displayName: 'Alice Rossi' });
    expect(identity.attributes.isMemberOf).toEqual(['infn:cms']);
    expect(identity.projects.map((p: any) => p.name).sort()).toEqual(['cms', 'lhcb']);
    expect(await rolesOf(identity.keystoneUserId)).toEqual(['cms:member', 'lhcb:member']);
    expect((await fetch(`${publicUrl}/me`)).status).toBe(401);
  });

  it('revokes the project when the IdP stops asserting the entitlement', async () => {
    await idp.setUsers(alice(['infn:cms'], []));
    const browser = new Browser();
    await login(browser);
    const identity = (await (await browser.fetch(`${publicUrl}/me`)).json()) as any;
    expect(identity.projects.map((p: any) => p.name)).toEqual(['cms']);
    expect(await rolesOf(identity.keystoneUserId)).toEqual(['cms:member']);
  });

  it('completes on the other node a login started on this one (state in PostgreSQL)', async () => {
    const browser = new Browser();
    const { res } = await login(browser, 1, 0);
    expect(res.status).toBe(303);
  });

  it('refuses a replayed response, on either node', async () => {
    const browser = new Browser();
    const { post, res } = await login(browser);
    expect(res.status).toBe(303);
    for (const node of nodes) {
      const again = await postToAcs(new Browser(), `${node.url}/saml/acs`, post);
      expect(again.status).toBe(403);
      expect(((await again.json()) as any).error.code).toMatch(/^login_(replay|in_response_to)$/);
    }
  });

  it('refuses a returnTo outside the bridge and trusted dashboards', async () => {
    const res = await fetch(`${publicUrl}/saml/login?returnTo=${encodeURIComponent('https://evil.example/steal')}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe('untrusted_return_to');
  });

  it('counts logins and failures in /metrics', async () => {
    const metrics = await (await fetch(`${publicUrl}/metrics`)).text();
    expect(metrics).toMatch(/aai_logins_total\{outcome="success",reason=""\} [1-9]/);
    expect(metrics).toMatch(/aai_keystone_request_duration_seconds_count/);
  });
});
