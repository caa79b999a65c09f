import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';
import { CHROMIUM, chromiumAvailable } from '../console/browser';
import { TestApp, startAaiBridge } from '../support/aai-bridge-app';
import { aggregate } from '../support/federation-metadata';
import { makeKeyPair } from '../support/saml-fixtures';

const suite = chromiumAvailable('discovery page in chromium') ? describe : describe.skip;

/**
 * The discovery page in a real browser (Debian's chromium): the strict CSP lets the static search
 * script run and nothing else, and typing filters the institutions as you type.
 */
suite('aai-bridge discovery page in chromium', () => {
  let t: TestApp;
  let dir: string;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aai-discovery-'));
    const { certBody } = makeKeyPair(dir, 'idps');
    const idp = (host: string, name: string) =>
      `<md:EntityDescriptor entityID="https://${host}/idp"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
      `<md:Extensions><mdui:UIInfo><mdui:DisplayName xml:lang="en">${name}</mdui:DisplayName></mdui:UIInfo></md:Extensions>` +
      `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certBody}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
      `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://${host}/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
    const file = join(dir, 'federation.xml');
    writeFileSync(
      file,
      aggregate(
        [
          idp('idp.infn.test', 'INFN'),
          idp('idp.unimi.test', 'Università degli Studi di Milano'),
          idp('idp.polimi.test', 'Politecnico di Milano'),
        ],
        {
          validUntil: new Date(Date.now() + 86_400_000),
        },
      ),
    );
    t = await startAaiBridge({ AAI_IDP_METADATA: file });
    await t.app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('filters the institutions as you type, with no CSP violation', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
    await page.goto(`${origin}/saml/login`);
    const visible = () => page.locator('#idps li:visible a').allTextContents();
    expect((await visible()).sort()).toEqual(['INFN', 'Politecnico di Milano', 'Università degli Studi di Milano']);
    await page.locator('#idp-search').pressSequentially('milano');
    expect((await visible()).sort()).toEqual(['Politecnico di Milano', 'Università degli Studi di Milano']);
    await page.locator('#idp-search').fill('poli mil');
    expect(await visible()).toEqual(['Politecnico di Milano']);
    expect(problems).toEqual([]);
    // Choosing one goes to the bridge's login at that IdP.
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.url().startsWith('https://idp.polimi.test/sso')),
      page.locator('#idps li:visible a').click(),
    ]);
    expect(new URL(request.url()).searchParams.get('SAMLRequest')).toBeTruthy();
    await page.close();
  }, 60_000);
});
