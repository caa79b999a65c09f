import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../support/database';
import { KEYSTONE_ADMIN_PASSWORD, KeystonePeer, keystoneAvailable, startKeystone } from '../support/keystone';
import { bridgeEnv, makeKeyPair } from '../support/saml-fixtures';
import { Browser, loginAtIdp, postToAcs } from '../support/saml-login';
import { freePort, spawnService } from '../support/service-process';
import { idpAvailable, startIdp } from '../support/simplesamlphp';

const ADMIN = 'aai-modes-admin-token-012345';
const AAI_MAIN = join(__dirname, '../../dist/apps/aai-bridge/src/main.js');
const peers = idpAvailable('SAML signing modes e2e') && keystoneAvailable('SAML signing modes e2e') ? describe : describe.skip;

interface Mode {
  name: string;
  idp: { signResponse: boolean; signAssertion: boolean; encrypt: boolean };
  bridge: { wantAssertionsSigned: boolean; wantResponseSigned: boolean };
  accepted: boolean;
}

const MODES: Mode[] = [
  {
    name: 'Response signed only (Shibboleth default), bridge not asking for signed assertions',
    idp: { signResponse: true, signAssertion: false, encrypt: false },
    bridge: { wantAssertionsSigned: false, wantResponseSigned: true },
    accepted: true,
  },
  {
    name: 'Assertion signed only',
    idp: { signResponse: false, signAssertion: true, encrypt: false },
    bridge: { wantAssertionsSigned: true, wantResponseSigned: false },
    accepted: true,
  },
  {
    name: 'both signed, assertion encrypted to the SP',
    idp: { signResponse: true, signAssertion: true, encrypt: true },
    bridge: { wantAssertionsSigned: true, wantResponseSigned: true },
    accepted: true,
  },
  {
    name: 'Response signed only, but the bridge wants signed assertions: refused',
    idp: { signResponse: true, signAssertion: false, encrypt: false },
    bridge: { wantAssertionsSigned: true, wantResponseSigned: false },
    accepted: false,
  },
  {
    name: 'Assertion signed only, but the bridge wants a signed Response: refused',
    idp: { signResponse: false, signAssertion: true, encrypt: false },
    bridge: { wantAssertionsSigned: true, wantResponseSigned: true },
    accepted: false,
  },
];

/** The IdP may sign the Response, the Assertion or both, and encrypt: the bridge follows its settings. */
peers('SAML signing and encryption modes with the real IdP', () => {
  let dir: string;
  let keystone: KeystonePeer;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aai-modes-'));
    [keystone, db] = await Promise.all([startKeystone(), createTestDatabase()]);
  }, 180_000);
  afterAll(async () => {
    await keystone?.stop();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const mode of MODES) {
    it(mode.name, async () => {
      const port = await freePort();
      const publicUrl = `http://127.0.0.1:${port}`;
      const sp = makeKeyPair(dir, `sp-${port}`);
      const idp = await startIdp({
        entityId: `${publicUrl}/saml/metadata`,
        acsUrl: `${publicUrl}/saml/acs`,
        sloUrl: `${publicUrl}/saml/slo`,
        certFile: sp.cert,
        ...mode.idp,
      });
      await idp.setUsers({ bob: { password: 'bob-pass', attributes: { eduPersonPrincipalName: ['bob@infn.it'], mail: ['bob@infn.it'] } } });
      const bridge = await spawnService(
        bridgeEnv({
          publicUrl,
          databaseUrl: db.url,
          adminToken: ADMIN,
          sp,
          idpMetadata: idp.metadataUrl,
          keystoneUrl: keystone.url,
          keystonePassword: KEYSTONE_ADMIN_PASSWORD,
          extra: {
            AAI_WANT_ASSERTIONS_SIGNED: String(mode.bridge.wantAssertionsSigned),
            AAI_WANT_RESPONSE_SIGNED: String(mode.bridge.wantResponseSigned),
          },
        }),
        { main: AAI_MAIN },
      );
      try {
        await fetch(`${publicUrl}/v1/mapping`, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
          body: JSON.stringify([{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'eduPersonPrincipalName' }] }]),
        });
        const browser = new Browser();
        const post = await loginAtIdp(browser, publicUrl, 'bob', 'bob-pass');
        const xml = Buffer.from(post.SAMLResponse, 'base64').toString();
        expect(xml.includes('EncryptedAssertion')).toBe(mode.idp.encrypt);
        const res = await postToAcs(browser, `${publicUrl}/saml/acs`, post);
        if (mode.accepted) {
          expect(res.status).toBe(303);
          expect(((await (await browser.fetch(`${publicUrl}/me`)).json()) as any).userName).toBe('bob@infn.it');
        } else {
          expect(res.status).toBe(403);
          expect(((await res.json()) as any).error.code).toBe('login_signature');
        }
      } finally {
        await bridge.stop();
        await idp.stop();
      }
    });
  }
});
