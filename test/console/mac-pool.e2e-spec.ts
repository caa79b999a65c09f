import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ConsoleBrowser, chromiumAvailable, openConsole, requireBuiltConsole, signIn } from './browser';
import { ADMIN_TOKEN, TestApp, startMacPool } from '../support/mac-pool-app';

const run = chromiumAvailable('console: mac-pool') ? describe : describe.skip;

/** A file on disk for the file input, named so the console picks its Content-Type. */
async function fileWith(name: string, content: string): Promise<string> {
  const path = join(tmpdir(), `console-${process.pid}-${name}`);
  await writeFile(path, content);
  return path;
}

const mac = (i: number) => `02:00:00:00:01:${i.toString(16).padStart(2, '0')}`;

/** The counts the overview's table shows for a pool, by state. */
/** The overview has a "Pool" control of its own: wait until the upload form has replaced it. */
async function openUpload(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Upload' }).click();
  await page.getByLabel('File (text, CSV or JSON)').waitFor();
}

async function countsShown(page: Page, pool: string): Promise<Record<string, number>> {
  const row = page.getByTestId('counts-table').locator(`tr[data-pool="${pool}"]`);
  await row.waitFor();
  const out: Record<string, number> = {};
  for (const cell of await row.locator('td[data-state]').all())
    out[(await cell.getAttribute('data-state'))!] = Number(await cell.textContent());
  return out;
}

run('console: mac-pool in Chromium (real service, real PostgreSQL)', () => {
  let t: TestApp;
  let c: ConsoleBrowser;
  let hook: { Authorization: string };
  beforeAll(async () => {
    requireBuiltConsole('mac-pool');
    t = await startMacPool();
    hook = await t.tokenFor('hook');
    c = await openConsole(t);
  });
  afterAll(async () => {
    await c?.close();
    await t?.close();
  });
  afterEach(() => {
    // Every flow: nothing loaded from elsewhere, no script blocked by the CSP, no uncaught error.
    expect(c.foreignRequests).toEqual([]);
    expect(c.problems).toEqual([]);
  });

  it('serves the page publicly under /admin with a strict CSP, and no API call works without the token', async () => {
    const redirect = await t.http.get('/admin');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('admin/');
    const page = await t.http.get('/admin/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect((await t.http.get('/admin/assets/..%2f..%2fpackage.json')).status).toBe(404);
    expect((await t.http.get('/v1/pools')).status).toBe(401);
    await c.page.goto(c.url.replace(/\/$/, ''));
    expect(c.page.url()).toBe(c.url);
    await c.page.getByLabel('Bearer token').waitFor();
  });

  it('signs in with a pasted token kept in sessionStorage only, and refuses an unknown one', async () => {
    await c.page.goto(c.url);
    await c.page.getByLabel('Bearer token').fill('not-a-real-token-at-all');
    await c.page.getByRole('button', { name: 'Sign in' }).click();
    await c.page.getByRole('alert').getByText('unknown or revoked').waitFor();
    await c.shot('sign-in');
    await signIn(c.page, c.url, ADMIN_TOKEN);
    const stored = await c.page.evaluate(() => ({
      session: sessionStorage.getItem('console.token'),
      local: localStorage.length,
      url: location.href,
    }));
    expect(stored).toEqual({ session: ADMIN_TOKEN, local: 0, url: c.url });
    expect(await c.page.locator('.who').textContent()).toBe('admin');
  });

  it('works from the keyboard: sign in, reach a page through the navigation, fill and submit a form', async () => {
    await c.page.goto(c.url);
    await c.page.evaluate(() => sessionStorage.clear());
    await c.page.reload();
    await c.page.keyboard.press('Tab');
    expect(await c.page.evaluate(() => document.activeElement?.id)).toBe('token');
    await c.page.keyboard.type(ADMIN_TOKEN);
    await c.page.keyboard.press('Enter');
    await c.page.getByRole('button', { name: 'Sign out' }).waitFor();
    // Tab through the header to the "Tokens" link, then Enter.
    for (let i = 0; i < 10 && (await c.page.evaluate(() => document.activeElement?.textContent)) !== 'Tokens'; i++)
      await c.page.keyboard.press('Tab');
    await c.page.keyboard.press('Enter');
    await c.page.getByRole('heading', { name: 'Tokens' }).waitFor();
    await c.page.getByLabel('Name').focus();
    await c.page.keyboard.type('kbd-token');
    await c.page.keyboard.press('Enter');
    await c.page.getByTestId('token-secret').waitFor();
    expect((await t.http.get('/v1/tokens').set(t.admin)).body.map((x: any) => x.name)).toContain('kbd-token');
  });

  it('creates, edits and deletes pools; deleting one with allocated MACs needs force', async () => {
    await signIn(c.page, c.url, ADMIN_TOKEN);
    await c.page.getByRole('link', { name: 'Pools' }).click();
    await c.page.getByRole('button', { name: 'New pool' }).click();
    await c.page.getByLabel('Name').fill('crud');
    await c.page.getByLabel('Network ids (empty: any)').fill('net-a, net-b');
    await c.page.getByLabel('Priority').fill('40');
    await c.page.getByLabel('Allow universal (vendor) MACs').check();
    await c.page.getByRole('button', { name: 'Create pool' }).click();
    await c.page.locator('tr[data-pool="crud"]').waitFor();
    expect((await t.http.get('/v1/pools/crud').set(t.admin)).body).toMatchObject({
      priority: 40,
      allowUniversal: true,
      scope: { networkIds: ['net-a', 'net-b'], projectIds: [] },
    });

    await c.page.getByRole('button', { name: 'Edit crud' }).click();
    await c.page.getByLabel('Quarantine (seconds)').fill('120');
    await c.page.getByLabel('Reservation TTL (seconds)').fill('60');
    await c.page.getByLabel('Project ids (empty: any)').fill('proj-1');
    await c.page.getByRole('button', { name: 'Save' }).click();
    await c.page.locator('tr[data-pool="crud"] td', { hasText: '120' }).waitFor();
    expect((await t.http.get('/v1/pools/crud').set(t.admin)).body).toMatchObject({
      quarantineSeconds: 120,
      reservationTtlSeconds: 60,
      scope: { networkIds: ['net-a', 'net-b'], projectIds: ['proj-1'] },
    });

    await t.http.post('/v1/pools/crud/macs').set(t.admin).set('Content-Type', 'text/plain').send('02:00:00:00:0c:01\n02:00:00:00:0c:02\n');
    const held = await t.http.post('/v1/allocations').set(hook).send({ portId: 'port-crud', networkId: 'net-a', projectId: 'proj-1' });
    expect(held.status).toBe(201);
    await c.page.reload();
    await c.page.getByRole('button', { name: 'Delete crud' }).click();
    expect(await c.page.getByTestId('held-count').textContent()).toBe('1');
    const remove = c.page.getByRole('button', { name: 'Delete pool crud' });
    expect(await remove.isDisabled()).toBe(true);
    await c.page.getByLabel(/^Force/).check();
    await c.shot('pools-delete');
    await remove.click();
    await c.page.locator('tr[data-pool="crud"]').waitFor({ state: 'detached' });
    expect((await t.http.get('/v1/pools/crud').set(t.admin)).status).toBe(404);
  });

  it('uploads a file with bad lines: every bad line listed and filterable, then the fixed file dry-runs, applies and shows on the chart', async () => {
    await t.http.post('/v1/pools').set(t.admin).send({ name: 'farm' });
    await signIn(c.page, c.url, ADMIN_TOKEN);
    await openUpload(c.page);
    await c.page.getByLabel('Pool').selectOption('farm');
    const good = Array.from({ length: 8 }, (_, i) => mac(i + 1));
    const bad = ['02:00:00:00:01', 'zz:00:00:00:00:01', `${mac(1)} extra`];
    const lines = [good[0], bad[0], good[1], good[2], bad[1], ...good.slice(3, 6), bad[2], ...good.slice(6)];
    await c.page.getByLabel('File (text, CSV or JSON)').setInputFiles(await fileWith('bad.txt', lines.join('\n') + '\n'));
    await c.page.getByRole('button', { name: 'Dry run' }).click();
    const table = c.page.getByRole('table', { name: 'Bad lines' });
    await table.waitFor();
    expect(await c.page.getByTestId('bad-count').textContent()).toContain('3 of 3 shown');
    const listed = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-line')));
    expect(listed).toEqual(['2', '5', '9']);
    expect(await table.locator('tr[data-line="5"] td.mono').textContent()).toBe('zz:00:00:00:00:01');
    expect(await c.page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
    await c.shot('upload-bad-lines');
    await c.page.getByLabel('Filter bad lines').fill('zz:');
    expect(await table.locator('tbody tr').count()).toBe(1);
    expect(await c.page.getByTestId('bad-count').textContent()).toContain('1 of 3 shown');
    expect((await t.http.get('/v1/pools/farm').set(t.admin)).body.counts.total).toBe(0);

    await c.page
      .getByLabel('File (text, CSV or JSON)')
      .setInputFiles(await fileWith('fixed.csv', `mac,hostname\n${good.map((m, i) => `${m},vm-${i}`).join('\n')}\n`));
    await c.page.getByRole('button', { name: 'Dry run' }).click();
    await c.page.getByTestId('dry-run-result').waitFor();
    expect(await c.page.locator('[data-count="added"]').textContent()).toBe('8');
    expect((await t.http.get('/v1/pools/farm').set(t.admin)).body.counts.total).toBe(0);
    await c.page.getByRole('button', { name: 'Apply' }).click();
    await c.page.getByTestId('applied-result').waitFor();
    expect(await c.page.locator('[data-count="added"]').textContent()).toBe('8');
    expect((await t.http.get('/v1/pools/farm').set(t.admin)).body.counts).toMatchObject({ free: 8, total: 8 });

    await c.page.getByRole('link', { name: 'Overview' }).click();
    expect(await countsShown(c.page, 'farm')).toEqual({ free: 8, reserved: 0, allocated: 0, quarantined: 0, total: 8 });
    const bar = c.page.locator('[data-pool="farm"] .bar');
    expect(await bar.getAttribute('aria-label')).toBe('farm: 0 allocated, 0 reserved, 0 quarantined, 8 free of 8');
    expect(await bar.locator('span.free').count()).toBe(1);
  });

  it('a 50,000-line file: upload progress is shown, and the bad lines among them are all listed', async () => {
    await t.http.post('/v1/pools').set(t.admin).send({ name: 'big' });
    await signIn(c.page, c.url, ADMIN_TOKEN);
    await openUpload(c.page);
    await c.page.getByLabel('Pool').selectOption('big');
    const hex = (i: number) => i.toString(16).padStart(4, '0');
    const lines = Array.from({ length: 50000 }, (_, i) => `02:00:00:01:${hex(i).slice(0, 2)}:${hex(i).slice(2)}`);
    for (const at of [99, 25000, 49999]) lines[at] = `not-a-mac-${at}`;
    await c.page.getByLabel('File (text, CSV or JSON)').setInputFiles(await fileWith('big.txt', lines.join('\n') + '\n'));
    // Record whether the progress bar ever appears: it is gone once the answer is in.
    await c.page.evaluate(() => {
      const seen = ((window as any).progressSeen = { value: false });
      new MutationObserver(() => {
        if (document.querySelector('progress')) seen.value = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    await c.page.getByRole('button', { name: 'Dry run' }).click();
    const table = c.page.getByRole('table', { name: 'Bad lines' });
    await table.waitFor();
    expect(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-line')))).toEqual([
      '100',
      '25001',
      '50000',
    ]);
    expect(await c.page.evaluate(() => (window as any).progressSeen.value)).toBe(true);
  });

  it('make-equal: the dry run says how many MACs it would remove and which held ones block it', async () => {
    await t.http.post('/v1/pools').set(t.admin).send({ name: 'equal' });
    const all = Array.from({ length: 6 }, (_, i) => `02:00:00:00:0e:0${i}`);
    await t.http.post('/v1/pools/equal/macs').set(t.admin).set('Content-Type', 'text/plain').send(all.join('\n'));
    await signIn(c.page, c.url, ADMIN_TOKEN);
    await openUpload(c.page);
    await c.page.getByLabel('Pool').selectOption('equal');
    await c.page.getByLabel('Make equal').check();
    await c.page.getByLabel('File (text, CSV or JSON)').setInputFiles(await fileWith('keep.json', JSON.stringify(all.slice(0, 2))));
    await c.page.getByRole('button', { name: 'Dry run' }).click();
    await c.page.getByTestId('would-remove').waitFor();
    expect(await c.page.getByTestId('would-remove').textContent()).toContain('would remove 4 free or quarantined MACs');
    // Which ones, listed before Apply is pressed: exactly the four left out of the file.
    const removing = c.page.getByRole('list', { name: 'MACs make-equal would remove' });
    expect(await removing.getByRole('listitem').allTextContents()).toEqual(all.slice(2));
    expect(await c.page.getByTestId('removing-count').textContent()).toContain('The 4 MACs it would remove');
    await c.page.getByRole('button', { name: 'Apply' }).click();
    await c.page.getByTestId('applied-result').waitFor();
    expect((await t.http.get('/v1/pools/equal').set(t.admin)).body.counts.total).toBe(2);

    // A MAC a port holds may not be removed: the dry run lists it as the line that blocks.
    expect((await t.http.post('/v1/allocations').set(hook).send({ portId: 'port-equal', mac: all[1] })).status).toBe(201);
    await c.page.getByLabel('File (text, CSV or JSON)').setInputFiles(await fileWith('keep-one.txt', `${all[0]}\n`));
    await c.page.getByRole('button', { name: 'Dry run' }).click();
    const blocked = c.page.getByRole('table', { name: 'Bad lines' });
    await blocked.waitFor();
    expect(await blocked.locator('tbody tr td.mono').allTextContents()).toEqual([all[1]]);
    expect(await blocked.locator('tbody tr').first().textContent()).toContain('port-equal');
    expect(await c.page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
  });

  it('searches a MAC in any spelling: the timeline lists its holders newest first, and who held it at a time', async () => {
    await t.http.post('/v1/pools').set(t.admin).send({ name: 'story', priority: -5000 });
    const m = '02:00:00:00:5a:01';
    await t.http.post('/v1/pools/story/macs').set(t.admin).set('Content-Type', 'text/plain').send(m);
    expect((await t.http.post('/v1/allocations').set(hook).send({ portId: 'port-first', deviceId: 'vm-first', mac: m })).status).toBe(201);
    await t.http.post('/v1/allocations/port-first/commit').set(hook);
    await new Promise((r) => setTimeout(r, 1100));
    const between = new Date();
    await new Promise((r) => setTimeout(r, 1100));
    expect((await t.http.delete('/v1/allocations/port-first').set(hook)).status).toBe(204);
    expect((await t.http.post('/v1/allocations').set(hook).send({ portId: 'port-second', deviceId: 'vm-second', mac: m })).status).toBe(
      201,
    );

    await signIn(c.page, c.url, ADMIN_TOKEN);
    await c.page.getByRole('link', { name: 'MAC search' }).click();
    await c.page.getByLabel('MAC address (any spelling)').fill('0200.0000.5A01');
    // datetime-local is local time without a zone: the browser's zone is the test's.
    const local = new Date(between.getTime() - between.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
    await c.page.getByLabel('Who held it at (optional, local time)').fill(local);
    await c.page.getByRole('button', { name: 'Search' }).click();
    const timeline = c.page.getByRole('list', { name: 'Holders' });
    await timeline.waitFor();
    expect(await timeline.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-port')))).toEqual([
      'port-second',
      'port-first',
    ]);
    expect(await timeline.locator('li.current').getAttribute('data-port')).toBe('port-second');
    expect(await c.page.getByTestId('holder-at').textContent()).toContain('port-first');
    expect(await c.page.getByTestId('mac-state').textContent()).toBe('reserved');
    await c.shot('mac-search');

    // By device: the VM that held it before is found through the history, and leads to the same story.
    await c.page.getByLabel('Search by').selectOption('deviceId');
    await c.page.getByLabel('Device (VM) id').fill('vm-first');
    await c.page.getByLabel('Who held it at (optional, local time)').fill('');
    await c.page.getByRole('button', { name: 'Search' }).click();
    const found = c.page.getByRole('table', { name: 'Matching MACs' });
    await found.locator(`tr[data-mac="${m}"]`).waitFor();
    expect(await found.locator(`tr[data-mac="${m}"] td`).nth(2).textContent()).toBe('in the past');
    await found.getByRole('button', { name: m }).click();
    await timeline.locator('li[data-port="port-first"]').waitFor();
    expect(await c.page.getByTestId('holder-at').count()).toBe(0);
    await c.page.getByLabel('Search by').selectOption('portId');
    await c.page.getByLabel('Port id').fill('port-second');
    await c.page.getByRole('button', { name: 'Search' }).click();
    await found.locator(`tr[data-mac="${m}"] td`, { hasText: 'now' }).waitFor();
  });

  it('warns on the overview when a pool is more than 90% in use', async () => {
    await t.http
      .post('/v1/pools')
      .set(t.admin)
      .send({ name: 'almost-full', priority: 900000, scope: { networkIds: ['net-full'] } });
    const macs = Array.from({ length: 10 }, (_, i) => `02:00:00:00:ff:0${i}`);
    await t.http.post('/v1/pools/almost-full/macs').set(t.admin).set('Content-Type', 'text/plain').send(macs.join('\n'));
    await signIn(c.page, c.url, ADMIN_TOKEN);
    await c.page.getByRole('link', { name: 'Overview' }).click();
    await c.page.locator('[data-pool="almost-full"]').first().waitFor();
    // Other flows' pools may be full already; this one is not yet.
    expect(await c.page.getByText('almost-full is').count()).toBe(0);
    for (let i = 0; i < 10; i++)
      await t.http
        .post('/v1/allocations')
        .set(hook)
        .send({ portId: `port-full-${i}`, networkId: 'net-full' });
    await c.page.reload();
    await c.page.getByTestId('full-warning').waitFor();
    expect(await c.page.getByTestId('full-warning').textContent()).toContain('almost-full is 100% in use');
    expect(await countsShown(c.page, 'almost-full')).toMatchObject({ reserved: 10, free: 0, total: 10 });
    await c.shot('overview');

    // The second chart: usage over time from the history, drawn by uPlot on a canvas, numbers in a table.
    await c.page.locator('.chart canvas').first().waitFor();
    await c.page.getByLabel('Pool', { exact: true }).selectOption('almost-full');
    await c.page.getByTestId('usage-now').getByText('now: 10 held').waitFor();
    await c.page.getByLabel('Per', { exact: true }).selectOption('hour');
    await c.page.getByText('hour: 10 allocated, 0 released').waitFor();
    await c.page.getByText('The numbers').click();
    const rows = c.page.getByRole('table', { name: 'Usage over time' }).locator('tbody tr');
    expect(await rows.count()).toBe(48);
    expect(await rows.last().locator('td.num').allTextContents()).toEqual(['10', '0', '10']);
    await c.page.locator('#usage-title').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await c.shot('usage-over-time');
  });

  it('shows a new token once, lists it and deletes it', async () => {
    await signIn(c.page, c.url, ADMIN_TOKEN);
    await c.page.getByRole('link', { name: 'Tokens' }).click();
    await c.page.getByLabel('Name').fill('ci-reader');
    await c.page.getByLabel('Role').selectOption('reader');
    await c.page.getByRole('button', { name: 'Create token' }).click();
    const secret = (await c.page.getByTestId('token-secret').textContent())!.trim();
    expect(secret.length).toBeGreaterThanOrEqual(20);
    expect((await t.http.get('/v1/pools').set({ Authorization: `Bearer ${secret}` })).status).toBe(200);
    await c.page.locator('tr[data-token="ci-reader"]').waitFor();
    await c.page.getByRole('button', { name: 'Done, I copied it' }).click();
    expect(await c.page.content()).not.toContain(secret);
    await c.page.reload();
    await c.page.locator('tr[data-token="ci-reader"]').waitFor();
    expect(await c.page.content()).not.toContain(secret);
    expect(await c.page.evaluate(() => JSON.stringify({ ...sessionStorage }))).not.toContain(secret);
    await c.page.getByRole('button', { name: 'Delete token ci-reader' }).click();
    await c.page.locator('tr[data-token="ci-reader"]').waitFor({ state: 'detached' });
    expect((await t.http.get('/v1/pools').set({ Authorization: `Bearer ${secret}` })).status).toBe(401);
  });

  it('a reader token sees everything but no button that changes anything, and the API refuses it', async () => {
    const reader = (await t.tokenFor('reader')).Authorization.replace('Bearer ', '');
    await t.http.post('/v1/pools').set(t.admin).send({ name: 'readable' });
    await c.page.goto(c.url);
    await c.page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(c.page, c.url, reader);
    expect(await c.page.locator('.who').textContent()).toBe('read-only');
    await c.page.getByRole('link', { name: 'Pools' }).click();
    await c.page.locator('tr[data-pool="readable"]').waitFor();
    expect(await c.page.getByRole('button', { name: 'New pool' }).count()).toBe(0);
    expect(await c.page.getByRole('button', { name: /^(Edit|Delete)/ }).count()).toBe(0);
    await c.page.getByRole('link', { name: 'Upload' }).click();
    await c.page.getByText('Uploads need an admin token').waitFor();
    expect(await c.page.getByRole('button', { name: /Dry run|Apply/ }).count()).toBe(0);
    await c.page.getByRole('link', { name: 'Tokens' }).click();
    expect(await c.page.getByRole('button', { name: 'Create token' }).count()).toBe(0);
    await c.page.getByRole('link', { name: 'Reconciliation' }).click();
    expect(await c.page.getByRole('button', { name: /Dry run|Apply/ }).count()).toBe(0);
    // What a hand-made request from the page with this token gets: 403 on every write.
    const statuses = await c.page.evaluate(async () => {
      const auth = { Authorization: `Bearer ${sessionStorage.getItem('console.token')}`, 'Content-Type': 'application/json' };
      const calls: [string, string, string?][] = [
        ['POST', '../v1/pools', '{"name":"nope"}'],
        ['PATCH', '../v1/pools/readable', '{"priority":1}'],
        ['DELETE', '../v1/pools/readable'],
        ['POST', '../v1/tokens', '{"name":"x","role":"admin"}'],
        ['POST', '../v1/reconcile?dryRun=true'],
      ];
      return Promise.all(calls.map(([method, url, body]) => fetch(url, { method, headers: auth, body }).then((r) => r.status)));
    });
    expect(statuses).toEqual([403, 403, 403, 403, 403]);
    expect((await t.http.get('/v1/pools/readable').set(t.admin)).status).toBe(200);
  });
});
