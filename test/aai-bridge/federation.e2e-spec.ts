import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../support/database';
import { aggregate, federatedEntity, MetadataServer, signMetadata, startMetadataServer } from '../support/federation-metadata';
import { KEYSTONE_ADMIN_PASSWORD, KeystonePeer, keystoneAvailable, startKeystone } from '../support/keystone';
import { bridgeEnv, makeKeyPair } from '../support/saml-fixtures';
import { Browser, formFields } from '../support/saml-login';
import { ServiceProcess, freePort, spawnService } from '../support/service-process';
import { IdpPeer, idpAvailable, startIdp } from '../support/simplesamlphp';

const ADMIN = 'aai-federation-admin-token-0123';
const AAI_MAIN = join(__dirname, '../../dist/apps/aai-bridge/src/main.js');
const peers = idpAvailable('federation e2e') && keystoneAvailable('federation e2e') ? describe : describe.skip;
const DAY = 86_400_000;

const decode = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
const certBody = (xml: string) => /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(xml)![1].replace(/\s+/g, '');
const entityIdOf = (xml: string) => /entityID="([^"]+)"/.exec(xml)![1];

/**
 * A federation: a signing key made here signs an aggregate of two real SimpleSAMLphp IdPs of two
 * institutions (scopes infn.it and unimi.it), served over HTTP to two bridge nodes on one
 * PostgreSQL, with real Keystone behind. Logins go through the discovery page and map per IdP.
 */
peers('aai-bridge in a federation: signed aggregate, many IdPs, discovery, scopes, rollover, MDQ', () => {
  let dir: string;
  let keystone: KeystonePeer;
  let infn: IdpPeer;
  let unimi: IdpPeer;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: MetadataServer;
  let nodes: ServiceProcess[] = [];
  let publicUrl: string;
  let federation: { key: string; cert: string };
  let infnXml: string;
  let unimiXml: string;
  let infnId: string;
  let unimiId: string;
  let aggregateUrl: string;

  /** The aggregate as the federation publishes it; options change what it says of the INFN IdP. */
  const publishAggregate = (o: { infnCerts?: string[]; replaceInfnKeys?: boolean; validUntil?: Date } = {}) => {
    const entities = [
      federatedEntity(infnXml, { displayName: 'INFN', signingCerts: o.infnCerts, replaceKeys: o.replaceInfnKeys }),
      federatedEntity(unimiXml, { displayName: 'Università degli Studi di Milano' }),
    ];
    const xml = signMetadata(
      aggregate(entities, { validUntil: o.validUntil ?? new Date(Date.now() + DAY), cacheDuration: 'PT1H' }),
      federation,
    );
    server.publish('/aggregate.xml', xml);
    return xml;
  };
  const api = async (node: ServiceProcess, path: string, method = 'GET') => {
    const res = await fetch(`${node.url}${path}`, { method, headers: { Authorization: `Bearer ${ADMIN}` } });
    return { status: res.status, body: (await res.json()) as any };
  };
  const sourceOf = async (node: ServiceProcess) => (await api(node, '/v1/metadata')).body.find((s: any) => s.source === aggregateUrl);
  /** Waits until the node's background refresh uses this aggregate (no restart, no API call). */
  const refreshedInBackground = async (node: ServiceProcess, xml: string) => {
    const digest = createHash('sha256').update(xml).digest('hex');
    for (let i = 0; i < 60; i++) {
      const s = await sourceOf(node);
      if (s.digest === digest && !s.lastError) return s;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${node.url} did not take up the new aggregate`);
  };

  /** The browser's way: the discovery page, the IdP chosen there, its login form, the POST to an ACS. */
  const loginVia = async (
    idpId: string,
    user: string,
    o: { startNode?: ServiceProcess; acsNode?: ServiceProcess; browser?: Browser } = {},
  ) => {
    const browser = o.browser ?? new Browser();
    const start = o.startNode ?? nodes[0];
    const page = await browser.fetch(`${start.url}/saml/login?returnTo=%2Fme`);
    expect(page.status).toBe(200);
    const link = [...(await page.text()).matchAll(/<a href="([^"]+)"/g)]
      .map((m) => new URL(decode(m[1]), start.url))
      .find((u) => u.searchParams.get('idp') === idpId);
    if (!link) throw new Error(`the discovery page does not list ${idpId}`);
    return { ...(await loginAt(browser, link.toString(), user, o.acsNode ?? start)), browser };
  };
  const loginAt = async (browser: Browser, loginUrl: string, user: string, acsNode: ServiceProcess) => {
    const redirect = await browser.fetch(loginUrl);
    expect(redirect.status).toBe(302);
    const idpPage = await browser.follow(redirect.headers.get('location')!);
    const form = formFields(await idpPage.res.text());
    const posted = await browser.fetch(new URL(form.action || idpPage.url, idpPage.url).toString(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.fields, username: user, password: `${user}-pass` }).toString(),
    });
    const html =
      posted.status >= 300 && posted.status < 400
        ? await (await browser.follow(new URL(posted.headers.get('location')!, idpPage.url).toString())).res.text()
        : await posted.text();
    const saml = formFields(html);
    if (!saml.fields.SAMLResponse) throw new Error(`no SAMLResponse after the IdP login: ${html.slice(0, 300)}`);
    const res = await browser.fetch(`${acsNode.url}/saml/acs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: saml.fields.SAMLResponse, RelayState: saml.fields.RelayState ?? '' }).toString(),
    });
    return { res, me: async () => (await (await browser.fetch(`${acsNode.url}/me`)).json()) as any };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aai-federation-'));
    db = await createTestDatabase();
    server = await startMetadataServer();
    aggregateUrl = `${server.url}/aggregate.xml`;
    publicUrl = `http://127.0.0.1:${await freePort()}`;
    const sp = makeKeyPair(dir, 'sp');
    federation = makeKeyPair(dir, 'federation');
    const spPeer = {
      entityId: `${publicUrl}/saml/metadata`,
      acsUrl: `${publicUrl}/saml/acs`,
      sloUrl: `${publicUrl}/saml/slo`,
      certFile: sp.cert,
    };
    // Each IdP's own metadata declares its institution's scope (shibmd:Scope).
    // Keystone first: a port chosen for an IdP while Keystone is still starting could be Keystone's.
    keystone = await startKeystone();
    [infn, unimi] = await Promise.all([startIdp({ ...spPeer, scopes: ['infn.it'] }), startIdp({ ...spPeer, scopes: ['unimi.it'] })]);
    for (const name of ['cms', 'lhcb']) await keystone.admin('POST', '/projects', { project: { name, domain_id: 'default' } });
    const user = (name: string, eppn: string) => ({ [name]: { password: `${name}-pass`, attributes: { eduPersonPrincipalName: [eppn] } } });
    await infn.setUsers(user('alice', 'alice@infn.it'));
    // mallory is a user of the other institution whose IdP asserts an INFN identity.
    await unimi.setUsers({ ...user('bob', 'bob@unimi.it'), ...user('mallory', 'alice@infn.it') });
    [infnXml, unimiXml] = await Promise.all([infn, unimi].map(async (i) => (await fetch(i.metadataUrl)).text()));
    [infnId, unimiId] = [entityIdOf(infnXml), entityIdOf(unimiXml)];
    publishAggregate();
    const env = bridgeEnv({
      publicUrl,
      databaseUrl: db.url,
      adminToken: ADMIN,
      sp,
      idpMetadata: aggregateUrl,
      keystoneUrl: keystone.url,
      keystonePassword: KEYSTONE_ADMIN_PASSWORD,
      extra: { AAI_METADATA_SIGNERS: federation.cert, AAI_METADATA_REFRESH_SECONDS: '2' },
    });
    nodes = [await spawnService(env, { main: AAI_MAIN })];
    nodes.push(await spawnService({ ...env, PORT: '' }, { main: AAI_MAIN }));
    const rules = {
      rules: [
        { local: [{ user: { name: '{0}' } }], remote: [{ type: 'eduPersonPrincipalName' }] },
        { local: [{ projects: [{ name: 'cms', roles: [{ name: 'member' }] }] }], remote: [{ type: 'idp', any_one_of: [infnId] }] },
        { local: [{ projects: [{ name: 'lhcb', roles: [{ name: 'member' }] }] }], remote: [{ type: 'idp', any_one_of: [unimiId] }] },
      ],
    };
    const put = await fetch(`${publicUrl}/v1/mapping`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(rules),
    });
    expect(put.status).toBe(200);
  }, 300_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await Promise.all([infn?.stop(), unimi?.stop(), keystone?.stop(), server?.stop()]);
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the verified aggregate on both nodes: two IdPs, the signer, validUntil', async () => {
    const digests = new Set<string>();
    for (const node of nodes) {
      const s = await sourceOf(node);
      digests.add(s.digest);
      expect(s).toMatchObject({ kind: 'url', entityCount: 2, lastError: null, cacheDurationSeconds: 3600 });
      expect(s.signer).toContain('federation.test');
      expect(Date.parse(s.validUntil)).toBeGreaterThan(Date.now());
    }
    expect(digests.size).toBe(1);
    expect((await fetch(`${nodes[0].url}/v1/metadata`)).status).toBe(401);
    // The background refresh asks whether the aggregate changed (If-None-Match) rather than taking it whole again.
    for (let i = 0; i < 40 && !server.requests.some((r) => r.path === '/aggregate.xml' && r.conditional); i++)
      await new Promise((r) => setTimeout(r, 250));
    expect(server.requests.some((r) => r.path === '/aggregate.xml' && r.conditional)).toBe(true);
  });

  it('serves a discovery page listing the IdPs by display name, with a strict CSP and no inline script', async () => {
    const res = await fetch(`${nodes[0].url}/saml/login`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('>INFN</a>');
    expect(html).toContain('>Università degli Studi di Milano</a>');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/\son\w+=/);
    // A remembered choice that does not decode is only ignored.
    expect((await fetch(`${nodes[0].url}/saml/login`, { headers: { Cookie: 'aai_idp=%E0%A4%A' } })).status).toBe(200);
    const script = await fetch(`${nodes[0].url}/saml/discovery.js`);
    expect([script.status, script.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
  });

  it('logs in through each IdP from the discovery page, mapping with per-IdP rules (the idp attribute)', async () => {
    const alice = await loginVia(infnId, 'alice');
    expect(alice.res.status).toBe(303);
    const aliceMe = await alice.me();
    expect([aliceMe.userName, aliceMe.attributes.idp, aliceMe.projects.map((p: any) => p.name)]).toEqual([
      'alice@infn.it',
      [infnId],
      ['cms'],
    ]);
    // The choice is remembered: the discovery page offers INFN first next time.
    const again = await (await alice.browser.fetch(`${nodes[0].url}/saml/login`)).text();
    expect(again).toMatch(/id="remembered"><li[^>]*><a [^>]*>INFN</);

    const bob = await loginVia(unimiId, 'bob', { acsNode: nodes[1] });
    expect(bob.res.status).toBe(303);
    const bobMe = await bob.me();
    expect([bobMe.userName, bobMe.projects.map((p: any) => p.name)]).toEqual(['bob@unimi.it', ['lhcb']]);
  }, 60_000);

  it('lets the mapping test endpoint try the per-IdP rules with the idp attribute', async () => {
    const current = (await api(nodes[0], '/v1/mapping')).body;
    const res = await fetch(`${nodes[0].url}/v1/mapping/test`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ rules: current.rules, assertion: { eduPersonPrincipalName: 'bob@unimi.it', idp: unimiId } }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).projects.map((p: any) => p.name)).toEqual(['lhcb']);
  });

  it("refuses the identity when the second IdP asserts an ePPN in the first IdP's scope", async () => {
    const mallory = await loginVia(unimiId, 'mallory');
    // The ePPN is dropped, so the rules find no user: refused (no_mapping, or provisioning of no user).
    expect([403, 422]).toContain(mallory.res.status);
    expect(((await mallory.res.json()) as any).error.code).toMatch(/^login_(no_mapping|provisioning)$/);
    expect((await mallory.browser.fetch(`${nodes[0].url}/me`)).status).toBe(401);
    expect(nodes[0].output()).toContain('scoped attribute values outside the IdP scopes dropped');
  }, 60_000);

  it('refuses and reports unsigned, tampered, foreign-signed, wrapped and expired aggregates, keeping the last good copy', async () => {
    const good = publishAggregate();
    const other = makeKeyPair(dir, 'other-federation');
    const unsigned = good.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    const evil = withNamespaces(federatedEntity(unimiXml, { scopes: ['infn.it'] }).replace(unimiId, 'https://evil.test/idp'));
    const cases: Array<[string, string, string]> = [
      ['unsigned', unsigned, 'unsigned'],
      ['tampered', good.replace('>INFN<', '>INFN (really)<'), 'signature'],
      ['signed by another key', signMetadata(unsigned, other), 'signature'],
      [
        'wrapped',
        good.replace(/(<md:EntitiesDescriptor[^>]*>)/, `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${evil}$1`) +
          '</md:EntitiesDescriptor>',
        'unsigned',
      ],
      ['expired', publishAggregate({ validUntil: new Date(Date.now() - 60_000) }), 'expired'],
    ];
    for (const [what, xml, reason] of cases) {
      server.publish('/aggregate.xml', xml);
      const refreshed = await api(nodes[0], '/v1/metadata/refresh', 'POST');
      expect(refreshed.status).toBe(200);
      const s = refreshed.body.find((x: any) => x.source === aggregateUrl);
      expect([what, s.entityCount, s.lastError === null]).toEqual([what, 2, false]);
      const metrics = await (await fetch(`${nodes[0].url}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`aai_metadata_refresh_failures_total\\{source="${aggregateUrl}",reason="${reason}"\\} [1-9]`));
    }
    expect((await sourceOf(nodes[1])).entityCount).toBe(2);
    // Logins go on with the last good copy, on either node.
    expect((await loginVia(infnId, 'alice', { startNode: nodes[1], acsNode: nodes[1] })).res.status).toBe(303);
    const metrics = await (await fetch(`${nodes[0].url}/metrics`)).text();
    expect(metrics).toMatch(/aai_metadata_seconds_to_valid_until\{source="[^"]+"\} \d/);
    expect(metrics).toMatch(/aai_metadata_seconds_since_refresh\{source="[^"]+"\} \d/);
    publishAggregate();
  }, 120_000);

  it('picks up an IdP key rollover on both nodes without a restart; the old key stops working once removed', async () => {
    const next = makeKeyPair(dir, 'infn-next');
    const old = { key: join(dir, 'infn-old.key'), cert: join(dir, 'infn-old.crt') };
    await copyFile(join(infn.dir, 'cert/idp.key'), old.key);
    await copyFile(join(infn.dir, 'cert/idp.crt'), old.cert);
    const useKey = async (k: { key: string; cert: string }) => {
      await copyFile(k.key, join(infn.dir, 'cert/idp.key'));
      await copyFile(k.cert, join(infn.dir, 'cert/idp.crt'));
    };

    // 1. The federation publishes the new key beside the old one; then the IdP signs with the new one.
    const both = publishAggregate({ infnCerts: [next.certBody] });
    await Promise.all(nodes.map((n) => refreshedInBackground(n, both)));
    await useKey(next);
    for (const node of nodes) expect((await loginVia(infnId, 'alice', { startNode: node, acsNode: node })).res.status).toBe(303);

    // 2. The old key leaves the aggregate: a response signed with it is refused on both nodes.
    const onlyNext = publishAggregate({ infnCerts: [next.certBody], replaceInfnKeys: true });
    await Promise.all(nodes.map((n) => refreshedInBackground(n, onlyNext)));
    expect((await loginVia(infnId, 'alice')).res.status).toBe(303);
    await useKey(old);
    try {
      for (const node of nodes) {
        const refused = await loginVia(infnId, 'alice', { startNode: node, acsNode: node });
        expect(refused.res.status).toBe(403);
        expect(((await refused.res.json()) as any).error.code).toBe('login_signature');
      }
    } finally {
      await useKey(next);
    }
    expect(certBody(await (await fetch(infn.metadataUrl)).text())).toBe(next.certBody);
  }, 120_000);

  it('asks an MDQ responder for an IdP on demand, verifying its signed per-entity document', async () => {
    const standalone = withNamespaces(federatedEntity(unimiXml, { displayName: 'Unimi (MDQ)' })).replace(
      /<md:EntityDescriptor\b/,
      `<md:EntityDescriptor validUntil="${new Date(Date.now() + DAY).toISOString()}"`,
    );
    server.publish(`/mdq/entities/${encodeURIComponent(unimiId)}`, signMetadata(standalone, federation));
    server.publish(`/mdq/entities/${encodeURIComponent(infnId)}`, withNamespaces(federatedEntity(infnXml)));
    const env = bridgeEnv({
      publicUrl,
      databaseUrl: db.url,
      adminToken: ADMIN,
      sp: { key: join(dir, 'sp.key'), cert: join(dir, 'sp.crt') },
      idpMetadata: `mdq+${server.url}/mdq/`,
      keystoneUrl: keystone.url,
      keystonePassword: KEYSTONE_ADMIN_PASSWORD,
      extra: { AAI_METADATA_SIGNERS: federation.cert, PORT: '' },
    });
    const mdqNode = await spawnService(env, { main: AAI_MAIN });
    nodes.push(mdqNode);
    const bob = await loginAt(new Browser(), `${mdqNode.url}/saml/login?idp=${encodeURIComponent(unimiId)}&returnTo=%2Fme`, 'bob', mdqNode);
    expect(bob.res.status).toBe(303);
    expect((await bob.me()).projects.map((p: any) => p.name)).toEqual(['lhcb']);
    // The unsigned answer for the other IdP is refused: that IdP is unknown here.
    const refused = await fetch(`${mdqNode.url}/saml/login?idp=${encodeURIComponent(infnId)}`, { redirect: 'manual' });
    expect([refused.status, ((await refused.json()) as any).error.code]).toEqual([400, 'unknown_idp']);
    const [mdq] = (await api(mdqNode, '/v1/metadata')).body;
    expect(mdq).toMatchObject({ kind: 'mdq', entityCount: 1 });
    expect(mdq.lastError).toContain(infnId);
  }, 120_000);
});

/** A standalone EntityDescriptor must declare the prefixes the federation's additions use. */
function withNamespaces(entity: string): string {
  return entity.replace(/<md:EntityDescriptor\b([^>]*)>/, (tag, attrs: string) => {
    let extra = '';
    if (!attrs.includes('xmlns:ds=')) extra += ' xmlns:ds="http://www.w3.org/2000/09/xmldsig#"';
    if (!attrs.includes('xmlns:mdui=')) extra += ' xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui"';
    if (!attrs.includes('xmlns:shibmd=')) extra += ' xmlns:shibmd="urn:mace:shibboleth:metadata:1.0"';
    return `<md:EntityDescriptor${extra}${attrs}>`;
  });
}
