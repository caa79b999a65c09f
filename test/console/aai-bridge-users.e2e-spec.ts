import { Client } from 'pg';
import type { Page } from 'playwright-core';
import { ConsoleBrowser, chromiumAvailable, openConsole, requireBuiltConsole, signIn } from './browser';
import { AAI_ADMIN_TOKEN, TestApp, startAaiBridge } from '../support/aai-bridge-app';

const run = chromiumAvailable('console: aai-bridge users') ? describe : describe.skip;

/** The user names the table shows, in order. */
const shownUsers = (page: Page) =>
  page
    .getByRole('table', { name: 'Federated users' })
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user')));

const shown = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 19) + 'Z';

run('console: aai-bridge users page in Chromium (real service, real PostgreSQL)', () => {
  let t: TestApp;
  let c: ConsoleBrowser;
  let pg: Client;
  /** The times the console should show, as its `when` writes them, by "<user id> <what>". */
  const at: Record<string, string> = {};
  beforeAll(async () => {
    requireBuiltConsole('aai-bridge');
    t = await startAaiBridge({ AAI_GRANT_EXPIRY_DAYS: '30' });
    c = await openConsole(t);
    pg = new Client({ connectionString: t.databaseUrl });
    await pg.connect();
    // As logins leave them (the database's clock, whole seconds): two users seen lately, one the dormancy sweep disabled.
    await pg.query(`
      INSERT INTO federated_users (keystone_user_id, user_name, idp, attributes, last_seen_at, dormant_since) VALUES
        ('u-alice', 'alice@infn.it', 'https://idp.infn.it/idp', '{}', date_trunc('second', now()) - interval '10 days', NULL),
        ('u-bob', 'bob@infn.it', 'https://idp.infn.it/idp', NULL, date_trunc('second', now()) - interval '200 days',
         date_trunc('second', now()) - interval '20 days'),
        ('u-carol', 'carol@cern.ch', 'https://idp.cern.ch/idp', '{}', date_trunc('second', now()) - interval '5 days', NULL)`);
    await pg.query(`
      INSERT INTO keystone_grants (keystone_user_id, user_name, kind, target, label, granted_at, refreshed_at) VALUES
        ('u-alice', 'alice@infn.it', 'role', 'p-cms/r-member', 'project cms: role member',
         date_trunc('second', now()) - interval '60 days', date_trunc('second', now()) - interval '10 days'),
        ('u-alice', 'alice@infn.it', 'group', 'g-cms', 'group cms-users',
         date_trunc('second', now()) - interval '60 days', date_trunc('second', now()) - interval '31 days'),
        ('u-carol', 'carol@cern.ch', 'role', 'p-atlas/r-reader', 'project atlas: role reader',
         date_trunc('second', now()) - interval '5 days', date_trunc('second', now()) - interval '5 days')`);
    const stamps = await pg.query(`
      SELECT u.keystone_user_id AS id, u.last_seen_at, u.dormant_since, g.label, g.refreshed_at
      FROM federated_users u LEFT JOIN keystone_grants g USING (keystone_user_id)`);
    for (const r of stamps.rows) {
      at[`${r.id} seen`] = shown(r.last_seen_at);
      if (r.dormant_since) at[`${r.id} dormant`] = shown(r.dormant_since);
      if (r.label) at[`${r.id} ${r.label} expiry`] = shown(new Date(r.refreshed_at.getTime() + 30 * 86_400_000));
    }
  });
  afterAll(async () => {
    await pg?.end();
    await c?.close();
    await t?.close();
  });
  afterEach(() => {
    expect(c.foreignRequests).toEqual([]);
    expect(c.problems).toEqual([]);
  });

  it('lists each user with IdP, last seen, dormancy and grants with their expiry; the filter box narrows by name', async () => {
    await signIn(c.page, c.url, AAI_ADMIN_TOKEN);
    await c.page.getByRole('link', { name: 'Users' }).click();
    await c.page.locator('tr[data-user="carol@cern.ch"]').waitFor();
    expect(await shownUsers(c.page)).toEqual(['alice@infn.it', 'bob@infn.it', 'carol@cern.ch']);
    expect(await c.page.getByTestId('users-count').textContent()).toBe('1–3 of 3 users');

    const alice = c.page.locator('tr[data-user="alice@infn.it"]');
    expect(await alice.locator('td').nth(1).textContent()).toBe('https://idp.infn.it/idp');
    expect(await alice.locator('td').nth(2).textContent()).toBe(at['u-alice seen']);
    expect(await alice.getByTestId('dormant').textContent()).toBe('—');
    // Expiry: last refreshed + AAI_GRANT_EXPIRY_DAYS (30).
    expect(await alice.locator('li[data-grant="project cms: role member"]').textContent()).toBe(
      `project cms: role member (expires ${at['u-alice project cms: role member expiry']})`,
    );
    expect(await alice.locator('li[data-grant="group cms-users"]').textContent()).toBe(
      `group cms-users (expired ${at['u-alice group cms-users expiry']})`,
    );
    const bob = c.page.locator('tr[data-user="bob@infn.it"]');
    expect(await bob.getByTestId('dormant').textContent()).toBe(at['u-bob dormant']);
    expect(await bob.locator('td').nth(4).textContent()).toBe('none');
    await c.shot('aai-bridge-users');

    await c.page.getByLabel('Filter by user name').fill('CERN');
    await c.page.getByTestId('users-count').getByText('1–1 of 1 user').waitFor();
    expect(await shownUsers(c.page)).toEqual(['carol@cern.ch']);
    await c.page.getByLabel('Filter by user name').fill('nobody');
    await c.page.getByTestId('users-count').getByText('no users').waitFor();
    expect(await shownUsers(c.page)).toEqual([]);
    await c.page.getByLabel('Filter by user name').fill('');
    await c.page.getByTestId('users-count').getByText('1–3 of 3 users').waitFor();

    // An admin may run the dormant sweep from here (AAI_DORMANT_DAYS unset: it disables nobody).
    await c.page.getByRole('button', { name: 'Run dormant sweep now' }).click();
    expect(await c.page.getByTestId('sweep-result').textContent()).toContain('0 disabled, 0 deleted');
  });

  it('a reader sees the same users and grants, read-only: no button, and the API refuses the sweep', async () => {
    const reader = (await t.tokenFor('reader')).Authorization.replace('Bearer ', '');
    await signIn(c.page, c.url, reader);
    await c.page.getByRole('link', { name: 'Users' }).click();
    await c.page.locator('tr[data-user="carol@cern.ch"]').waitFor();
    expect(await shownUsers(c.page)).toEqual(['alice@infn.it', 'bob@infn.it', 'carol@cern.ch']);
    expect(await c.page.locator('tr[data-user="carol@cern.ch"] li').textContent()).toBe(
      `project atlas: role reader (expires ${at['u-carol project atlas: role reader expiry']})`,
    );
    expect(await c.page.locator('main button').count()).toBe(0);
    const status = await c.page.evaluate(async () => {
      const res = await fetch('../v1/users/dormant/sweep', {
        method: 'POST',
        headers: { Authorization: `Bearer ${sessionStorage.getItem('console.token')}` },
      });
      return res.status;
    });
    expect(status).toBe(403);
  });
});
