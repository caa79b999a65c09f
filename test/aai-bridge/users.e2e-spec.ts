import { Client } from 'pg';
import { TestApp, startAaiBridge } from '../support/aai-bridge-app';

interface GrantRow {
  kind: string;
  target: string;
  label: string;
  grantedAt: string;
  refreshedAt: string;
  expiresAt: string | null;
}
interface UserRow {
  keystoneUserId: string;
  userName: string;
  idp: string | null;
  lastSeenAt: string;
  dormantSince: string | null;
  grants: GrantRow[];
}

const DAY = 86_400_000;

/**
 * GET /v1/users on rows written as a login writes them (federated_users, keystone_grants), with
 * the database's clock: the page, the filter, and each grant's expiry as the expiry sweep sees it.
 */
describe('aai-bridge: the users the bridge knows (real PostgreSQL)', () => {
  let t: TestApp;
  let pg: Client;
  const users = (query: Record<string, string> = {}, auth = t.admin) => t.http.get('/v1/users').query(query).set(auth);

  beforeAll(async () => {
    t = await startAaiBridge({ AAI_GRANT_EXPIRY_DAYS: '30' });
    pg = new Client({ connectionString: t.databaseUrl });
    await pg.connect();
    await pg.query(`
      INSERT INTO federated_users (keystone_user_id, user_name, idp, attributes, last_seen_at, dormant_since) VALUES
        ('u-alice', 'alice@infn.it', 'https://idp.infn.it/idp', '{}', now() - interval '1 day', NULL),
        ('u-bob', 'bob@infn.it', 'https://idp.infn.it/idp', NULL, now() - interval '200 days', now() - interval '20 days'),
        ('u-carol', 'carol@cern.ch', 'https://idp.cern.ch/idp', '{}', now() - interval '3 days', NULL),
        ('u-dan', 'dan_100%@infn.it', NULL, '{}', now(), NULL)`);
    await pg.query(`
      INSERT INTO keystone_grants (keystone_user_id, user_name, kind, target, label, granted_at, refreshed_at) VALUES
        ('u-alice', 'alice@infn.it', 'role', 'p-cms/r-member', 'project cms: role member', now() - interval '40 days', now() - interval '2 days'),
        ('u-alice', 'alice@infn.it', 'group', 'g-cms', 'group cms-users', now() - interval '40 days', now() - interval '31 days'),
        ('u-carol', 'carol@cern.ch', 'role', 'p-atlas/r-reader', 'project atlas: role reader', now() - interval '3 days', now() - interval '3 days')`);
    // Many users, to page through: zz-user-001 … zz-user-105 sort after the four above.
    await pg.query(`
      INSERT INTO federated_users (keystone_user_id, user_name, idp, attributes, last_seen_at)
      SELECT 'u-zz-' || i, 'zz-user-' || lpad(i::text, 3, '0'), 'https://idp.infn.it/idp', '{}', now() FROM generate_series(1, 105) i`);
  });
  afterAll(async () => {
    await pg?.end();
    await t?.close();
  });

  it('lists each user with IdP, last seen, dormant since and the grants the bridge made, expiring as the sweep would revoke them', async () => {
    const res = await users({ q: 'infn.it', limit: '10' });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(3);
    const byName = new Map<string, UserRow>(res.body.users.map((u: UserRow) => [u.userName, u]));
    expect([...byName.keys()]).toEqual(['alice@infn.it', 'bob@infn.it', 'dan_100%@infn.it']);

    const [db] = (
      await pg.query(`SELECT last_seen_at, (SELECT dormant_since FROM federated_users WHERE keystone_user_id = 'u-bob') AS bob_dormant
                      FROM federated_users WHERE keystone_user_id = 'u-alice'`)
    ).rows;
    const alice = byName.get('alice@infn.it')!;
    expect(alice).toMatchObject({ keystoneUserId: 'u-alice', idp: 'https://idp.infn.it/idp', dormantSince: null });
    expect(Date.parse(alice.lastSeenAt)).toBe(db.last_seen_at.getTime());
    expect(byName.get('bob@infn.it')!.grants).toEqual([]);
    expect(Date.parse(byName.get('bob@infn.it')!.dormantSince!)).toBe(db.bob_dormant.getTime());

    const recorded = (
      await pg.query(`SELECT label, granted_at, refreshed_at FROM keystone_grants WHERE keystone_user_id = 'u-alice' ORDER BY label`)
    ).rows;
    expect(alice.grants.map((g) => [g.kind, g.target, g.label])).toEqual([
      ['group', 'g-cms', 'group cms-users'],
      ['role', 'p-cms/r-member', 'project cms: role member'],
    ]);
    alice.grants.forEach((g, i) => {
      expect(Date.parse(g.grantedAt)).toBe(recorded[i].granted_at.getTime());
      expect(Date.parse(g.refreshedAt)).toBe(recorded[i].refreshed_at.getTime());
      expect(Date.parse(g.expiresAt!)).toBe(recorded[i].refreshed_at.getTime() + 30 * DAY);
    });

    // What shows as expired is exactly what the expiry sweep picks up now.
    const { GrantRepository } =
      require('../../apps/aai-bridge/src/provisioning/grant.repository') as typeof import('../../apps/aai-bridge/src/provisioning/grant.repository');
    const now = Date.now();
    const stale = await t.app.get(GrantRepository).notRefreshedSince(new Date(now - 30 * DAY));
    const all = (await users({ limit: '1000' })).body.users as UserRow[];
    const expired = all.flatMap((u) => u.grants.filter((g) => Date.parse(g.expiresAt!) < now).map((g) => `${u.keystoneUserId} ${g.label}`));
    expect(expired).toEqual(['u-alice group cms-users']);
    expect(stale.map((g) => `${g.keystoneUserId} ${g.label}`)).toEqual(expired);
  });

  it('filters on the user name, case-insensitive, taking % and _ literally', async () => {
    expect((await users({ q: 'CERN' })).body.users.map((u: UserRow) => u.userName)).toEqual(['carol@cern.ch']);
    expect((await users({ q: '_100%' })).body.users.map((u: UserRow) => u.userName)).toEqual(['dan_100%@infn.it']);
    expect((await users({ q: '%' })).body.total).toBe(1);
    expect((await users({ q: 'nobody' })).body).toEqual({ users: [], total: 0, limit: 100, offset: 0 });
  });

  it('pages by name: 100 by default, offset goes on, the total counts every page', async () => {
    const first = await users();
    expect(first.body).toMatchObject({ total: 109, limit: 100, offset: 0 });
    expect(first.body.users).toHaveLength(100);
    expect(first.body.users.slice(0, 4).map((u: UserRow) => u.userName)).toEqual([
      'alice@infn.it',
      'bob@infn.it',
      'carol@cern.ch',
      'dan_100%@infn.it',
    ]);
    const rest = await users({ offset: '100', limit: '1000' });
    expect(rest.body).toMatchObject({ total: 109, limit: 1000, offset: 100 });
    expect(rest.body.users.map((u: UserRow) => u.userName)).toEqual(
      Array.from({ length: 9 }, (_, i) => `zz-user-${String(97 + i).padStart(3, '0')}`),
    );
    expect((await users({ offset: '500' })).body).toEqual({ users: [], total: 109, limit: 100, offset: 500 });
  });

  it('refuses a bad page: limit outside 1..1000, a negative or non-numeric offset, an unknown parameter', async () => {
    for (const query of <Array<Record<string, string>>>[
      { limit: '0' },
      { limit: '1001' },
      { limit: 'ten' },
      { offset: '-1' },
      { offset: '1.5' },
      { page: '2' },
    ]) {
      const res = await users(query);
      expect([query, res.status]).toEqual([query, 400]);
    }
  });

  it('readers may list users; anonymous callers may not', async () => {
    const res = await users({ limit: '1' }, await t.tokenFor('reader'));
    expect([res.status, res.body.users.map((u: UserRow) => u.userName)]).toEqual([200, ['alice@infn.it']]);
    expect((await t.http.get('/v1/users')).status).toBe(401);
  });
});
