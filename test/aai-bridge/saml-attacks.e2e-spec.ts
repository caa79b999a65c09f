import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../support/database';
import { KEYSTONE_ADMIN_PASSWORD, KeystonePeer, keystoneAvailable, startKeystone } from '../support/keystone';
import { bridgeEnv, makeKeyPair } from '../support/saml-fixtures';
import { ForgingIdp, NS, XSW, newId, parseXml, requestIdOf, serialize } from '../support/saml-forge';
import { Browser } from '../support/saml-login';
import { ServiceProcess, freePort, spawnService } from '../support/service-process';

const ADMIN = 'aai-attack-admin-token-01234';
const AAI_MAIN = join(__dirname, '../../dist/apps/aai-bridge/src/main.js');
const EPPN = 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6';
const peers = keystoneAvailable('SAML attack e2e') ? describe : describe.skip;

/**
 * Messages an attacker can build must be refused. A stand-in IdP the bridge trusts signs the
 * genuine messages (a genuine one is accepted first), then each attack alters one.
 */
peers('SAML security: forged, altered and wrapped messages are refused', () => {
  let dir: string;
  let keystone: KeystonePeer;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let idp: ForgingIdp;
  let bridge: ServiceProcess;
  let publicUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aai-attacks-'));
    // Two signing certificates in the metadata (key rollover): the IdP signs with the second.
    idp = new ForgingIdp(dir, 1);
    [keystone, db] = await Promise.all([startKeystone(), createTestDatabase()]);
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    const sp = makeKeyPair(dir, 'sp');
    bridge = await spawnService(
      bridgeEnv({
        publicUrl,
        databaseUrl: db.url,
        adminToken: ADMIN,
        sp,
        idpMetadata: idp.metadataFile,
        keystoneUrl: keystone.url,
        keystonePassword: KEYSTONE_ADMIN_PASSWORD,
        extra: { AAI_WANT_RESPONSE_SIGNED: 'true' },
      }),
      { main: AAI_MAIN },
    );
    await fetch(`${publicUrl}/v1/mapping`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'eduPersonPrincipalName' }] }]),
    });
  }, 180_000);

  afterAll(async () => {
    await bridge?.stop();
    await keystone?.stop();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A login the SP really started: its request ID, for InResponseTo. */
  const started = async () => requestIdOf((await fetch(`${publicUrl}/saml/login`, { redirect: 'manual' })).headers.get('location')!);
  const fields = async (user: string, extra: Partial<Parameters<ForgingIdp['response']>[0]> = {}) => ({
    inResponseTo: await started(),
    acs: `${publicUrl}/saml/acs`,
    audience: `${publicUrl}/saml/metadata`,
    issuer: idp.entityId,
    nameId: newId(),
    attributes: { [EPPN]: [user] },
    ...extra,
  });
  /** POSTs a response like a browser; returns the status, the error code, and who /me says. */
  const submit = async (xml: string) => {
    const browser = new Browser();
    const res = await browser.fetch(`${publicUrl}/saml/acs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: Buffer.from(xml).toString('base64'), RelayState: '' }).toString(),
    });
    const code = res.status === 303 ? null : (((await res.json()) as any).error?.code as string);
    const me = res.status === 303 ? ((await (await browser.fetch(`${publicUrl}/me`)).json()) as any).userName : null;
    return { status: res.status, code, me };
  };

  it('accepts a genuine signed response, signed with the second of two metadata certificates (rollover)', async () => {
    expect(await submit(idp.sign(idp.response(await fields('mallory@infn.it'))))).toEqual({
      status: 303,
      code: null,
      me: 'mallory@infn.it',
    });
  });

  it('refuses a tampered attribute', async () => {
    const signed = idp.sign(idp.response(await fields('mallory@infn.it')));
    const r = await submit(signed.replace('mallory@infn.it', 'admin@infn.it'));
    expect(r).toMatchObject({ status: 403, code: 'login_signature', me: null });
  });

  it('refuses a response with its signatures stripped', async () => {
    const signed = idp.sign(idp.response(await fields('admin@infn.it')));
    const doc = parseXml(signed);
    for (const s of Array.from(doc.getElementsByTagNameNS(NS.DS, 'Signature'))) s.parentNode!.removeChild(s);
    expect(await submit(serialize(doc))).toMatchObject({ status: 403, me: null });
  });

  it('refuses a response signed by another key with its certificate swapped into KeyInfo', async () => {
    const attacker = makeKeyPair(dir, 'attacker');
    const forged = idp.sign(idp.response(await fields('admin@infn.it')), {
      key: readFileSync(attacker.key, 'utf8'),
      cert: readFileSync(attacker.cert, 'utf8'),
    });
    expect(await submit(forged)).toMatchObject({ status: 403, code: 'login_signature', me: null });
  });

  it('does not truncate a value at a comment inserted into it, in an attribute and in NameID (CVE-2017-11427 class)', async () => {
    const signed = idp.sign(idp.response(await fields('admin@infn.it.evil.com', { nameId: 'admin@infn.it.evil.com' })));
    const r = await submit(signed.replace(/admin@infn\.it\.evil\.com/g, 'admin@infn.it<!---->.evil.com'));
    expect(r.me).not.toBe('admin@infn.it');
    if (r.status === 303) expect(r.me).toBe('admin@infn.it.evil.com');
  });

  it('refuses an assertion for another audience', async () => {
    const r = await submit(idp.sign(idp.response(await fields('mallory@infn.it', { audience: 'https://other-sp.example/metadata' }))));
    expect(r).toMatchObject({ status: 403, code: 'login_audience' });
  });

  it('refuses an expired assertion and one not yet valid', async () => {
    const past = Date.now() - 3_600_000;
    expect(
      await submit(idp.sign(idp.response(await fields('mallory@infn.it', { notBefore: past - 60_000, notOnOrAfter: past })))),
    ).toMatchObject({ status: 403, code: 'login_time' });
    const future = Date.now() + 3_600_000;
    expect(
      await submit(idp.sign(idp.response(await fields('mallory@infn.it', { notBefore: future, notOnOrAfter: future + 60_000 })))),
    ).toMatchObject({ status: 403, code: 'login_time' });
  });

  it('refuses a response to a request this SP never made', async () => {
    const r = await submit(idp.sign(idp.response({ ...(await fields('mallory@infn.it')), inResponseTo: newId() })));
    expect(r).toMatchObject({ status: 403, code: 'login_in_response_to' });
  });

  it('refuses a response meant for another ACS (Destination, Recipient)', async () => {
    const r = await submit(idp.sign(idp.response(await fields('mallory@infn.it', { acs: 'https://other-sp.example/acs' }))));
    expect(r.status).toBe(403);
    expect(r.code).toMatch(/^login_(destination|recipient)$/);
  });

  it('refuses a replayed response', async () => {
    const signed = idp.sign(idp.response(await fields('mallory@infn.it')));
    expect((await submit(signed)).status).toBe(303);
    expect((await submit(signed)).status).toBe(403);
  });

  it('refuses an Issuer other than the IdP of the metadata', async () => {
    const r = await submit(idp.sign(idp.response(await fields('mallory@infn.it', { issuer: 'https://evil-idp.example/idp' }))));
    expect(r).toMatchObject({ status: 403, code: 'login_issuer', me: null });
  });

  for (const [name, wrap] of Object.entries(XSW)) {
    it(`refuses signature wrapping ${name}`, async () => {
      const signed = idp.sign(idp.response(await fields('mallory@infn.it')));
      const r = await submit(wrap(signed, 'admin@infn.it'));
      expect(r.me).not.toBe('admin@infn.it');
      expect(r.status).toBe(403);
    });
  }

  it('never provisioned the would-be admin in Keystone', async () => {
    const users = (await keystone.admin('GET', '/users?name=admin@infn.it')).body.users;
    expect(users).toEqual([]);
  });
});
