import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { parse as parseYaml } from 'yaml';
import { startBridgePeers } from '../support/bridge-peers';
import { createTestDatabase } from '../support/database';
import { KEYSTONE_ADMIN_PASSWORD, KeystonePeer, keystoneAvailable } from '../support/keystone';
import { bridgeEnv } from '../support/saml-fixtures';
import { Browser, loginAtIdp, postToAcs } from '../support/saml-login';
import { ServiceProcess, spawnService } from '../support/service-process';
import { IdpPeer, idpAvailable } from '../support/simplesamlphp';

const ADMIN = 'aai-login-admin-token-012345';
const DASHBOARD = 'https://horizon.cloud.test/dashboard/auth/websso/';
const AAI_MAIN = join(__dirname, '../../dist/apps/aai-bridge/src/main.js');
const peers = idpAvailable('SAML login e2e') && keystoneAvailable('SAML login e2e') ? describe : describe.skip;

const RULES = {
  rules: [
    { local: [{ user: { name: '{0}', email: '{1}' } }], remote: [{ type: 'eduPersonPrincipalName' }, { type: 'mail' }] },
    { local: [{ projects: [{ name: 'cms', roles: [{ name: 'member' }] }] }], remote: [{ type: 'isMemberOf', any_one_of: ['infn:cms'] }] },
    {
      local: [{ projects: [{ name: 'lhcb', roles: [{ name: 'member' }] }] }],
      remote: [{ type: 'eduPersonEntitlement', any_one_of: ['urn:mace:infn.it:lhcb'] }],
    },
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
    const res = await fetch(`${publicUrl}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const rolesOf = async (userId: string) =>
    (await keystone.admin('GET', `/role_assignments?user.id=${userId}&include_names=true`)).body.role_assignments
      .map((a: any) => `${a.scope.project.name}:${a.role.name}`)
      .sort();
  const login = async (browser: Browser, acsNode = 0, startNode = 0) => {
    const post = await loginAtIdp(browser, nodes[startNode].url, 'alice', 'alice-pass');
    return { post, res: await postToAcs(browser, `${nodes[acsNode].url}/saml/acs`, post) };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aai-login-'));
    db = await createTestDatabase();
    const started = await startBridgePeers(dir);
    ({ publicUrl, keystone, idp } = started);
    const sp = started.sp;
    for (const name of ['cms', 'lhcb']) await keystone.admin('POST', '/projects', { project: { name, domain_id: 'default' } });
    await idp.setUsers(alice(['infn:cms'], ['urn:mace:infn.it:lhcb']));
    const env = bridgeEnv({
      publicUrl,
      databaseUrl: db.url,
      adminToken: ADMIN,
      sp,
      idpMetadata: idp.metadataUrl,
      keystoneUrl: keystone.url,
      keystonePassword: KEYSTONE_ADMIN_PASSWORD,
      extra: { AAI_TRUSTED_DASHBOARDS: DASHBOARD },
    });
    const anyPort = { ...env, PORT: '' }; // the other nodes: any free port
    // Node 0 answers at the public URL (the VIP); node 1 is the other controller, same database.
    nodes = await Promise.all([
      spawnService(env, { main: AAI_MAIN }),
      spawnService(anyPort, { main: AAI_MAIN }),
      // A third node getting user tokens with a bridge-held password instead of TOTP.
      spawnService({ ...anyPort, AAI_TOKEN_METHOD: 'password' }, { main: AAI_MAIN }),
    ]);
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

  it('hands Horizon a working token (WebSSO form POST to the exact trusted origin)', async () => {
    expect((await fetch(`${publicUrl}/websso?origin=${encodeURIComponent('https://horizon.cloud.test/other')}`)).status).toBe(400);
    const anonymous = await fetch(`${publicUrl}/websso?origin=${encodeURIComponent(DASHBOARD)}`, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toContain('/saml/login?returnTo=');

    const browser = new Browser();
    await login(browser);
    const form = await browser.fetch(`${publicUrl}/websso?origin=${encodeURIComponent(DASHBOARD)}`);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain(`action="${DASHBOARD}"`);
    const token = /name="token" value="([^"]+)"/.exec(html)![1];
    const projects = await fetch(`${keystone.url}/auth/projects`, { headers: { 'X-Auth-Token': token } });
    expect(projects.status).toBe(200);
    expect(((await projects.json()) as any).projects.map((p: any) => p.name)).toEqual(['cms']);
  });

  it('can hand out tokens from a bridge-held password instead (AAI_TOKEN_METHOD=password)', async () => {
    const browser = new Browser();
    const post = await loginAtIdp(browser, nodes[2].url, 'alice', 'alice-pass');
    expect((await postToAcs(browser, `${nodes[2].url}/saml/acs`, post)).status).toBe(303);
    const html = await (await browser.fetch(`${nodes[2].url}/websso?origin=${encodeURIComponent(DASHBOARD)}`)).text();
    const token = /name="token" value="([^"]+)"/.exec(html)![1];
    const projects = await fetch(`${keystone.url}/auth/projects`, { headers: { 'X-Auth-Token': token } });
    expect(projects.status).toBe(200);
    const methods = (
      (await (await fetch(`${keystone.url}/auth/tokens`, { headers: { 'X-Auth-Token': token, 'X-Subject-Token': token } })).json()) as any
    ).token.methods;
    expect(methods).toEqual(['password']);
  });

  it('offers a clouds.yaml whose application credential logs in to Keystone', async () => {
    const browser = new Browser();
    await login(browser);
    const page = await (await browser.fetch(`${publicUrl}/cli`)).text();
    expect(page).toContain('cms');
    const projectId = /name="project" value="([^"]+)"/.exec(page)![1];
    const res = await browser.fetch(`${publicUrl}/cli/clouds.yaml`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ project: projectId, days: '7' }).toString(),
    });
    expect(res.status).toBe(200);
    const cloud = Object.values(parseYaml(await res.text()).clouds)[0] as any;
    expect(cloud.auth_type).toBe('v3applicationcredential');
    const auth = await fetch(`${keystone.url}/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['application_credential'],
            application_credential: { id: cloud.auth.application_credential_id, secret: cloud.auth.application_credential_secret },
          },
        },
      }),
    });
    expect(auth.status).toBe(201);
    expect(((await auth.json()) as any).token.project.id).toBe(projectId);
    const other = await browser.fetch(`${publicUrl}/cli/clouds.yaml`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ project: 'not-mine', days: '7' }).toString(),
    });
    expect(other.status).toBe(400);
  });

  it('keeps the TOTP secrets sealed in the database', async () => {
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const { rows } = await pg.query('SELECT sealed_secret FROM user_secrets');
    await pg.end();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.sealed_secret).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('logs out here and at the IdP (SP-initiated single logout)', async () => {
    const browser = new Browser();
    await login(browser);
    expect((await browser.fetch(`${publicUrl}/me`)).status).toBe(200);
    const out = await browser.fetch(`${publicUrl}/saml/logout`);
    expect(out.status).toBe(302);
    const atIdp = out.headers.get('location')!;
    expect(atIdp.startsWith(idp.baseUrl)).toBe(true);
    expect(new URL(atIdp).searchParams.get('Signature')).toBeTruthy();
    // The IdP ends its session and sends the browser back with a signed LogoutResponse.
    const back = await browser.follow(atIdp);
    expect(back.url.startsWith(`${publicUrl}/`)).toBe(true);
    expect((await browser.fetch(`${publicUrl}/me`)).status).toBe(401);
    // No IdP session left: a new login shows the IdP's login form again.
    const again = await browser.fetch(`${publicUrl}/saml/login`);
    const idpPage = await browser.follow(again.headers.get('location')!);
    expect(await idpPage.res.text()).toMatch(/name="password"/);
  });

  it('ends the session when the IdP logs the user out (IdP-initiated single logout)', async () => {
    const browser = new Browser();
    await login(browser);
    expect((await browser.fetch(`${publicUrl}/me`)).status).toBe(200);
    // The IdP sends the browser to our /saml/slo with a LogoutRequest; we answer with a LogoutResponse.
    const hops: string[] = [];
    let url = `${idp.baseUrl}saml2/idp/SingleLogoutService.php?ReturnTo=${encodeURIComponent(`${idp.baseUrl}logout-done`)}`;
    while (hops.length < 10 && !url.startsWith(`${idp.baseUrl}logout-done`)) {
      hops.push(url);
      const location = (await browser.fetch(url)).headers.get('location');
      if (!location) break;
      url = new URL(location, url).toString();
    }
    expect(url).toBe(`${idp.baseUrl}logout-done`);
    expect(hops.some((h) => h.startsWith(`${publicUrl}/saml/slo?SAMLRequest=`))).toBe(true);
    expect((await browser.fetch(`${publicUrl}/me`)).status).toBe(401);
  });

  it('counts logins and failures in /metrics', async () => {
    const metrics = await (await fetch(`${publicUrl}/metrics`)).text();
    expect(metrics).toMatch(/aai_logins_total\{outcome="success",reason=""\} [1-9]/);
    expect(metrics).toMatch(/aai_keystone_request_duration_seconds_count/);
  });
});
