import { Client } from 'pg';
import type { Locator } from 'playwright-core';
import { ConsoleBrowser, chromiumAvailable, openConsole, requireBuiltConsole, signIn } from './browser';
import { AAI_ADMIN_TOKEN, TestApp, startAaiBridge } from '../support/aai-bridge-app';

const run = chromiumAvailable('console: aai-bridge') ? describe : describe.skip;

const userRule = { local: [{ user: { name: '{0}' } }], remote: [{ type: 'eduPersonPrincipalName' }] };
const cmsRule = (role: string) => ({
  local: [{ projects: [{ name: 'cms', roles: [{ name: role }] }] }],
  remote: [{ type: 'isMemberOf', any_one_of: ['infn:cms'] }],
});
const json = (x: unknown) => JSON.stringify(x, null, 2);

/** The lines of the diff view marked added or removed, without their +/- prefix. */
async function changed(diff: Locator, kind: 'add' | 'del'): Promise<string[]> {
  return (await diff.locator(`span.${kind}`).allTextContents()).map((l) => l.slice(2).trim());
}

run('console: aai-bridge mapping rules in Chromium (real service, real PostgreSQL)', () => {
  let t: TestApp;
  let c: ConsoleBrowser;
  beforeAll(async () => {
    requireBuiltConsole('aai-bridge');
    t = await startAaiBridge();
    c = await openConsole(t);
  });
  afterAll(async () => {
    await c?.close();
    await t?.close();
  });
  afterEach(() => {
    expect(c.foreignRequests).toEqual([]);
    expect(c.problems).toEqual([]);
  });

  it('serves its own console under /admin with the strict CSP', async () => {
    const page = await t.http.get('/admin/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('aai-bridge console');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('edits rules: an invalid rule shows its error at that rule and field, nothing is saved; the fixed rules test on an assertion and save', async () => {
    await signIn(c.page, c.url, AAI_ADMIN_TOKEN);
    await c.page.getByLabel('Rule 1 (JSON)').fill(json(userRule));
    await c.page.getByRole('button', { name: 'Add rule' }).click();
    const { roles: _roles, ...noRoles } = cmsRule('member').local[0].projects[0];
    await c.page.getByLabel('Rule 2 (JSON)').fill(json({ ...cmsRule('member'), local: [{ projects: [noRoles] }] }));
    await c.page.getByRole('button', { name: 'Save' }).click();
    const problems = c.page.getByTestId('rule-1-problems');
    await problems.waitFor();
    expect(await problems.textContent()).toContain('local[0].projects[0].roles: required');
    expect(await c.page.getByRole('group', { name: 'Rule 2' }).getAttribute('class')).toContain('invalid');
    expect(await c.page.getByTestId('rule-0-problems').count()).toBe(0);
    expect(await c.page.getByLabel('Rule 2 (JSON)').getAttribute('aria-invalid')).toBe('true');
    await c.page.locator('[data-rule="1"]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await c.shot('mapping-invalid-rule');
    expect((await t.http.get('/v1/mapping/history').set(t.admin)).body).toEqual([]);

    await c.page.getByLabel('Rule 2 (JSON)').fill(json(cmsRule('member')));
    await c.page.getByLabel('Attribute 1 value').fill('alice@infn.it');
    await c.page.getByLabel('Attribute 2 value').fill('infn:atlas;infn:cms');
    await c.page.getByRole('button', { name: 'Test', exact: true }).click();
    await c.page.getByTestId('mapped').waitFor();
    expect(await c.page.getByTestId('mapped-user').textContent()).toBe('alice@infn.it');
    expect(await c.page.getByTestId('mapped-projects').textContent()).toBe('cms (member)');
    expect(await c.page.getByTestId('rule-1-problems').count()).toBe(0);

    await c.page.getByLabel('Paste JSON instead').check();
    await c.page.getByLabel(/^Assertion/).fill(JSON.stringify({ eduPersonPrincipalName: 'bob@infn.it', isMemberOf: 'infn:lhcb' }));
    await c.page.getByRole('button', { name: 'Test', exact: true }).click();
    await c.page.getByTestId('mapped-user').getByText('bob@infn.it').waitFor();
    expect(await c.page.getByTestId('mapped-projects').textContent()).toBe('none');

    // A user the bridge knows, as a login leaves it (attributes kept, nothing granted yet): the
    // preview shows what these rules would give them.
    const db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    await db.query(
      `INSERT INTO federated_users (keystone_user_id, user_name, idp, attributes, last_seen_at) VALUES ('u-dave', 'dave@infn.it', NULL, $1, now())`,
      [JSON.stringify({ eduPersonPrincipalName: ['dave@infn.it'], isMemberOf: ['infn:cms'] })],
    );
    await db.end();
    await c.page.getByRole('button', { name: 'Check and preview impact' }).click();
    await c.page.getByTestId('preview').waitFor();
    expect(await c.page.getByTestId('preview').textContent()).toContain('Of 1 known user, 1 would change: 1 grant gained, 0 lost');
    const change = c.page.getByRole('table', { name: 'Changes per user' }).locator('tbody tr');
    expect(await change.locator('td').allTextContents()).toEqual(['dave@infn.it', expect.stringContaining('cms'), '']);

    await c.page.getByLabel('Comment').fill('first rules');
    await c.page.getByRole('button', { name: 'Save' }).click();
    await c.page.getByText('Saved as version 1.').waitFor();
    const stored = (await t.http.get('/v1/mapping').set(t.admin)).body;
    expect(stored).toMatchObject({ version: 1, comment: 'first rules', rules: [userRule, cmsRule('member')] });
  });

  it('diffs two versions and rolls back to an earlier one', async () => {
    await signIn(c.page, c.url, AAI_ADMIN_TOKEN);
    await c.page.locator('tr[data-version="1"]').waitFor();
    await c.page.getByLabel('Rule 2 (JSON)').fill(json(cmsRule('reader')));
    await c.page.getByLabel('Comment').fill('cms members only read');
    await c.page.getByRole('button', { name: 'Save' }).click();
    await c.page.getByText('Saved as version 2.').waitFor();
    const diff = c.page.getByTestId('diff');
    await diff.locator('span.add').first().waitFor();
    expect(await changed(diff, 'del')).toEqual(['"name": "member"']);
    expect(await changed(diff, 'add')).toEqual(['"name": "reader"']);
    await c.page.locator('#history-title').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await c.shot('mapping-history-diff');

    await c.page.getByRole('button', { name: 'Roll back to v1' }).click();
    await c.page.getByText('Saved as version 3.').waitFor();
    const now = (await t.http.get('/v1/mapping').set(t.admin)).body;
    expect(now).toMatchObject({ version: 3, comment: 'rollback to v1', rules: [userRule, cmsRule('member')] });
    // The newest is now v3 and is compared with v2: the rollback undoes v2's change.
    await c.page.locator('tr[data-version="3"]').waitFor();
    expect(await changed(diff, 'del')).toEqual(['"name": "reader"']);
    expect(await changed(diff, 'add')).toEqual(['"name": "member"']);
    await c.page.getByLabel('Compare').selectOption('1');
    await c.page.getByLabel('with', { exact: true }).selectOption('3');
    expect(await diff.locator('span.add, span.del').count()).toBe(0);
  });

  it('lists the trusted IdP metadata sources with their age and validity; an admin can re-read them', async () => {
    await signIn(c.page, c.url, AAI_ADMIN_TOKEN);
    await c.page.getByRole('link', { name: 'Identity providers' }).click();
    const table = c.page.getByRole('table', { name: 'Metadata sources' });
    await table.locator('tbody tr').first().waitFor();
    const api = (await t.http.get('/v1/metadata').set(t.admin)).body;
    expect(await table.locator('tbody tr').count()).toBe(api.length);
    expect(await table.locator('tbody tr').first().getAttribute('data-source')).toBe(api[0].source);
    expect(await table.getByTestId('entity-count').first().textContent()).toContain(String(api[0].entityCount));
    // The copy in use, by digest: both nodes of the cluster should show the same.
    expect(api[0].digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await table.locator('tbody tr').first().textContent()).toContain(api[0].digest.slice(0, 12));
    await c.page.getByRole('button', { name: 'Re-read metadata now' }).click();
    // Disabled while the re-read runs; enabled again when it answered, with no error shown.
    await c.page.locator('button:enabled', { hasText: 'Re-read metadata now' }).waitFor();
    expect(await c.page.getByRole('alert').count()).toBe(0);
    expect(c.problems).toEqual([]);
  });

  it('a reader sees the rules and may test them, but has no button that changes anything and the API refuses it', async () => {
    const reader = (await t.tokenFor('reader')).Authorization.replace('Bearer ', '');
    await signIn(c.page, c.url, reader);
    await c.page.locator('tr[data-version="3"]').waitFor();
    expect(await c.page.getByRole('button', { name: /^(Save|Add rule|Roll back|Remove rule|Check)/ }).count()).toBe(0);
    expect(await c.page.getByLabel('Rule 1 (JSON)').getAttribute('readonly')).not.toBeNull();
    await c.page.getByLabel('Attribute 1 value').fill('carol@infn.it');
    await c.page.getByRole('button', { name: 'Test', exact: true }).click();
    await c.page.getByTestId('mapped-user').getByText('carol@infn.it').waitFor();
    const status = await c.page.evaluate(async () => {
      const res = await fetch('../v1/mapping', {
        method: 'PUT',
        headers: { Authorization: `Bearer ${sessionStorage.getItem('console.token')}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ rules: [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'mail' }] }] }),
      });
      return res.status;
    });
    expect(status).toBe(403);
    expect((await t.http.get('/v1/mapping').set(t.admin)).body.version).toBe(3);
    await c.page.getByRole('link', { name: 'Identity providers' }).click();
    await c.page.getByRole('table', { name: 'Metadata sources' }).locator('tbody tr').first().waitFor();
    expect(await c.page.getByRole('button', { name: 'Re-read metadata now' }).count()).toBe(0);
  });
});
