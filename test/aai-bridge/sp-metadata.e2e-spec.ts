import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApp, startAaiBridge } from '../support/aai-bridge-app';

/**
 * The SP metadata as a federation registry (IDEM) takes it: mdui, contacts with SIRTFI, and a
 * signature by the SP key that Debian's xmlsec1 verifies, and that breaks when the XML is altered.
 */
describe('aai-bridge: SP metadata for federation registration', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aai-spmd-'));
    t = await startAaiBridge({
      AAI_SP_DISPLAY_NAME: 'INFN Cloud',
      AAI_SP_DESCRIPTION: 'Login to the INFN Cloud OpenStack',
      AAI_SP_LOGO_URL: 'https://cloud.infn.test/logo.png',
      AAI_SP_TECHNICAL_CONTACT: 'cloud-ops@infn.test',
      AAI_SP_SECURITY_CONTACT: 'cert@infn.test',
      AAI_SP_SIGN_METADATA: 'true',
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const verify = (xml: string) => {
    writeFileSync(join(dir, 'sp.xml'), xml);
    try {
      execFileSync(
        'xmlsec1',
        [
          '--verify',
          '--pubkey-cert-pem',
          process.env.AAI_SP_CERT!,
          '--id-attr:ID',
          'urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor',
          join(dir, 'sp.xml'),
        ],
        { stdio: 'pipe' },
      );
      return true;
    } catch {
      return false;
    }
  };

  it('publishes mdui, the contacts and SIRTFI, signed with the SP key', async () => {
    const res = await t.http.get('/saml/metadata');
    expect(res.status).toBe(200);
    const xml = res.text;
    expect(xml).toContain('<mdui:DisplayName xml:lang="en">INFN Cloud</mdui:DisplayName>');
    expect(xml).toContain('<md:EmailAddress>mailto:cert@infn.test</md:EmailAddress>');
    expect(xml).toContain('https://refeds.org/sirtfi');
    expect(verify(xml)).toBe(true);
    expect(verify(xml.replace('INFN Cloud<', 'Evil Cloud<'))).toBe(false);
  });
});
