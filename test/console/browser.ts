import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, Page, chromium } from 'playwright-core';
import type { TestApp } from '../support/nest-app';
import { peerAvailable } from '../support/peers';

/** Debian's chromium; nothing here may download a browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const VIEWPORT = { width: 1280, height: 800 };
/** Headless, and nothing that would reach out of the machine on its own (updates, sync, QUIC). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Where the flows leave their screenshots (the README shows three of them, copied to docs/console/). */
export const SCREENSHOTS = join(__dirname, '../../.data/console-screenshots');

export function chromiumAvailable(suite: string): boolean {
  return peerAvailable(suite, 'chromium', [CHROMIUM], 'chromium.sh');
}

/** The built console must exist: the services serve dist/console/<app>, made by `npm run build`. */
export function requireBuiltConsole(app: string): void {
  const index = join(__dirname, '../../dist/console', app, 'index.html');
  if (!existsSync(index)) throw new Error(`${index} missing: run npm run build first`);
}

export interface ConsoleBrowser {
  context: BrowserContext;
  page: Page;
  /** Console URL of the started app, e.g. http://127.0.0.1:PORT/admin/ */
  url: string;
  /** Requests the page made that left the service's origin (must stay empty: no CDN). */
  foreignRequests: string[];
  /** CSP violations and page errors reported by the browser (must stay empty). */
  problems: string[];
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Listens on a free loopback port and opens a fresh headless chromium profile on the console. */
export async function openConsole(app: TestApp): Promise<ConsoleBrowser> {
  await app.app.listen(0, '127.0.0.1');
  const { port } = app.app.getHttpServer().address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const profile = await mkdtemp(join(tmpdir(), 'console-chromium-'));
  // A fresh profile each time: a persistent context on a new temp dir is Playwright's way to pass
  // --user-data-dir (it refuses the flag in args).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: VIEWPORT,
    deviceScaleFactor: 1,
    args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  // Each step is quick on a local service; a missing element should fail the flow well inside jest's timeout.
  page.setDefaultTimeout(15000);
  const foreignRequests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreignRequests.push(r.url());
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    context,
    page,
    url: `${origin}/admin/`,
    foreignRequests,
    problems,
    async shot(name) {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in the way an admin does: paste the token, press Enter. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  // A flow starts from a fresh tab: whatever token an earlier flow left in this tab is dropped.
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await page.getByLabel('Bearer token').fill(token);
  await page.getByLabel('Bearer token').press('Enter');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
