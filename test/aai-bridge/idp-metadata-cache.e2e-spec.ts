import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../support/database';
import { bridgeEnv, makeKeyPair } from '../support/saml-fixtures';
import { freePort, spawnService } from '../support/service-process';
import { IdpPeer, idpAvailable, startIdp } from '../support/simplesamlphp';

const AAI_MAIN = join(__dirname, '../../dist/apps/aai-bridge/src/main.js');
const peer = idpAvailable('IdP metadata kept in the database') ? describe : describe.skip;

/**
 * A failover must not wait for the federation's IdP: a bridge that once fetched the metadata
 * from the real IdP (SimpleSAMLphp) starts again while that IdP is down, from the copy in
 * PostgreSQL, and still sends users to the IdP's SSO endpoint.
 */
peer('aai-bridge: IdP metadata kept in the database', () => {
  let dir: string;
  let idp: IdpPeer | undefined;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aai-mdcache-'));
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await idp?.stop();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts from the kept copy when the IdP does not answer', async () => {
    const publicUrl = `http://127.0.0.1:${await freePort()}`;
    const sp = makeKeyPair(dir, 'sp');
    idp = await startIdp({
      entityId: `${publicUrl}/saml/metadata`,
      acsUrl: `${publicUrl}/saml/acs`,
      sloUrl: `${publicUrl}/saml/slo`,
      certFile: sp.cert,
    });
    const env = bridgeEnv({
      publicUrl,
      databaseUrl: db.url,
      adminToken: 'aai-mdcache-admin-token-0123',
      sp,
      idpMetadata: idp.metadataUrl,
      keystoneUrl: 'http://127.0.0.1:1/v3',
      keystonePassword: 'unused',
    });
    const ssoUrl = `${idp.baseUrl}saml2/idp/SSOService.php`;

    const first = await spawnService(env, { main: AAI_MAIN });
    const login = await fetch(`${first.url}/saml/login`, { redirect: 'manual' });
    expect(login.headers.get('location')).toContain(ssoUrl);
    await first.stop();

    await idp.stop();
    idp = undefined;
    const second = await spawnService(env, { main: AAI_MAIN });
    try {
      expect(second.output()).toContain('IdP metadata URL failed: using the copy kept in the database');
      const again = await fetch(`${second.url}/saml/login`, { redirect: 'manual' });
      expect([again.status, again.headers.get('location')?.startsWith(ssoUrl)]).toEqual([302, true]);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
