import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { parse as parseYaml } from 'yaml';
import { AAI_ADMIN_TOKEN, TestApp, startAaiBridge } from '../support/aai-bridge-app';
import { startBridgePeers } from '../support/bridge-peers';
import { KEYSTONE_ADMIN_PASSWORD, KeystonePeer, keystoneAvailable } from '../support/keystone';
import { Browser, loginAtIdp, postToAcs } from '../support/saml-login';
import { IdpPeer, IdpUser, idpAvailable } from '../support/simplesamlphp';

const peers = idpAvailable('mapping rollout e2e') && keystoneAvailable('mapping rollout e2e') ? describe : describe.skip;

// uid, not eduPersonPrincipalName: a scoped attribute is only as good as the IdP's metadata scopes.
const USER_RULE = { local: [{ user: { name: '{0}@infn.it', email: '{1}' } }], remote: [{ type: 'uid' }, { type: 'mail' }] };
const CMS = { type: 'isMemberOf', any_one_of: ['infn:cms'] };
const LHCB = { type: 'isMemberOf', any_one_of: ['infn:lhcb'] };
const role = (project: string, name: string) => ({ projects: [{ name: project, roles: [{ name }] }] });
const GROUP = { group: { name: 'cms-users', domain: { name: 'Default' } } };

/** v1: CMS members get cms (member) and the cms-users group; LHCb members get lhcb (reader). */
const V1 = {
  rules: [USER_RULE, { local: [role('cms', 'member'), GROUP], remote: [CMS] }, { local: [role('lhcb', 'reader')], remote: [LHCB] }],
};
/** v2: CMS members also get atlas and no longer the group; LHCb members become lhcb members. */
const V2 = {
  rules: [
    USER_RULE,
    { local: [role('cms', 'member')], remote: [CMS] },
    { local: [role('atlas', 'member')], remote: [CMS] },
    { local: [role('lhcb', 'member')], remote: [LHCB] },
  ],
};
/** v3: CMS is gone from the rules. */
const V3 = { rules: [USER_RULE, { local: [role('lhcb', 'member')], remote: [LHCB] }] };
/** v4: LHCb members also get km3net, a project Keystone does not have yet. */
const V4 = { rules: [...V3.rules, { local: [role('km3net', 'member')], remote: [LHCB] }] };

const person = (uid: string, groups: string[]): IdpUser => ({
  password: `${uid}-pass`,
  attributes: {
    uid: [uid],
    mail: [`${uid}@cnaf.infn.it`],
    displayName: [uid],
    isMemberOf: groups,
  },
});
const USERS = {
  alice: person('alice', ['infn:cms', 'infn:lhcb']),
  bob: person('bob', ['infn:cms']),
  carol: person('carol', ['infn:lhcb']),
};

/**
 * Steering the mapping with the real IdP and Keystone: the preview against what logins then do,
 * apply-now without logins (tokens and application credentials stop working), a failed user
 * left as before and the run resumed, dormant accounts disabled and brought back by a login.
 */
peers('aai-bridge: mapping preview, apply-now and dormant accounts (real IdP, real Keystone)', () => {
  let dir: string;
  let keystone: KeystonePeer;
  let idp: IdpPeer;
  let t: TestApp;
  let publicUrl: string;
  const browsers: Record<string, Browser> = {};

  const rolesOf = async (name: string) => {
    const user = (await keystone.admin('GET', `/users?name=${encodeURIComponent(`${name}@infn.it`)}`)).body.users[0];
    const res = await keystone.admin('GET', `/role_assignments?user.id=${user.id}&include_names=true`);
    const groups = (await keystone.admin('GET', `/users/${user.id}/groups`)).body.groups.map((g: any) => `group ${g.name}`);
    return [...res.body.role_assignments.map((a: any) => `${a.scope.project.name}:${a.role.name}`), ...groups].sort();
  };
  const userId = async (name: string) => (await keystone.admin('GET', `/users?name=${name}@infn.it`)).body.users[0].id as string;
  const login = async (uid: string) => {
    browsers[uid] = new Browser();
    const post = await loginAtIdp(browsers[uid], publicUrl, uid, `${uid}-pass`);
    const res = await postToAcs(browsers[uid], `${publicUrl}/saml/acs`, post);
    if (res.status !== 303) throw new Error(`login of ${uid}: ${res.status} ${await res.text()}`);
  };
  const sql = async (text: string, params: unknown[] = []) => {
    const pg = new Client({ connectionString: t.databaseUrl });
    await pg.connect();
    try {
      return (await pg.query(text, params)).rows;
    } finally {
      await pg.end();
    }
  };
  /** What the last login of the user did, as audited. */
  const lastLogin = async (uid: string) => {
    const [row] = await sql(`SELECT details FROM audit_log WHERE action = 'login' AND actor = $1 ORDER BY id DESC LIMIT 1`, [
      `${uid}@infn.it`,
    ]);
    return { gained: [...row.details.granted].sort(), lost: [...row.details.revoked].sort() };
  };
  const putRules = async (rules: object, query = '') => t.http.put(`/v1/mapping${query}`).set(t.admin).send(rules);
  const waitForRun = async (id: number) => {
    for (let i = 0; i < 600; i++) {
      const run = (await t.http.get(`/v1/mapping/apply-runs/${id}`).set(t.admin)).body;
      if (run.status !== 'running') return run;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`run ${id} still running`);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aai-rollout-'));
    const started = await startBridgePeers(dir);
    ({ publicUrl, keystone, idp } = started);
    const sp = started.sp;
    for (const name of ['cms', 'lhcb', 'atlas']) await keystone.admin('POST', '/projects', { project: { name, domain_id: 'default' } });
    await keystone.admin('POST', '/groups', { group: { name: 'cms-users', domain_id: 'default' } });
    await idp.setUsers(USERS);
    t = await startAaiBridge({
      AAI_PUBLIC_URL: publicUrl,
      AAI_SP_KEY: sp.key,
      AAI_SP_CERT: sp.cert,
      AAI_IDP_METADATA: idp.metadataUrl,
      KEYSTONE_URL: keystone.url,
      KEYSTONE_ADMIN_PASSWORD,
      AAI_DORMANT_DAYS: '30',
      AAI_APPLY_BATCH_SIZE: '2',
    });
    await t.app.listen(Number(new URL(publicUrl).port), '127.0.0.1');
    expect((await putRules(V1)).status).toBe(200);
    for (const uid of Object.keys(USERS)) await login(uid);
  }, 240_000);

  afterAll(async () => {
    await t?.close();
    await Promise.all([idp?.stop(), keystone?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps per user only the attributes the rules read, and when the user was seen', async () => {
    const rows = await sql('SELECT user_name, idp, attributes, last_seen_at FROM federated_users ORDER BY user_name');
    const idpEntityId = /entityID="([^"]+)"/.exec(await (await fetch(idp.metadataUrl)).text())![1];
    expect(rows.map((r) => r.idp)).toEqual([idpEntityId, idpEntityId, idpEntityId]);
    expect(rows.map((r) => r.user_name)).toEqual(['alice@infn.it', 'bob@infn.it', 'carol@infn.it']);
    expect(rows[0].attributes).toEqual({
      uid: ['alice'],
      mail: ['alice@cnaf.infn.it'],
      isMemberOf: ['infn:cms', 'infn:lhcb'],
    });
    expect(rows[0].attributes.displayName).toBeUndefined();
  });

  it("previews a rule change exactly as each user's next login then carries it out", async () => {
    const res = await t.http.post('/v1/mapping/preview').set(t.admin).send(V2);
    expect(res.status).toBe(200);
    const preview = res.body;
    expect(preview).toMatchObject({ users: 3, skipped: 0, changed: 3, loseAllAccess: [], refused: [], unknownAttributes: [] });
    const byUser = Object.fromEntries(preview.changes.map((c: any) => [c.user, { gained: c.gained, lost: c.lost }]));
    expect(byUser['bob@infn.it']).toEqual({ gained: ['project atlas: role member'], lost: ['group cms-users'] });
    expect(preview.gained).toBe(4);
    expect(preview.lost).toBe(4);

    // Stored for the next logins only (the default): nothing changes until then.
    expect((await putRules(V2)).status).toBe(200);
    expect(await rolesOf('bob')).toEqual(['cms:member', 'group cms-users']);
    for (const uid of Object.keys(USERS)) {
      await login(uid);
      expect(await lastLogin(uid)).toEqual(byUser[`${uid}@infn.it`]);
    }
    expect(await rolesOf('alice')).toEqual(['atlas:member', 'cms:member', 'lhcb:member']);
  });

  it('applies new rules now, without logins: a dry run first, then revocation that stops tokens and credentials', async () => {
    // bob holds a project-scoped token (from an application credential the bridge issued) on cms.
    // Keystone's revocation events count whole seconds: a token issued in the second of bob's last
    // change (his login took a group away) would be born revoked.
    await new Promise((r) => setTimeout(r, 1100));
    const page = await (await browsers.bob.fetch(`${publicUrl}/cli`)).text();
    const cmsId = (await keystone.admin('GET', '/projects?name=cms')).body.projects[0].id;
    expect(page).toContain(cmsId);
    const yaml = await browsers.bob.fetch(`${publicUrl}/cli/clouds.yaml`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ project: cmsId, days: '7' }).toString(),
    });
    expect(yaml.status).toBe(200);
    const cloud = Object.values(parseYaml(await yaml.text()).clouds)[0] as any;
    const appCredentialLogin = () =>
      fetch(`${keystone.url}/auth/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          auth: {
            identity: {
              methods: ['application_credential'],
              application_credential: { id: cloud.auth.application_credential_id, secret: cloud.auth.application_credential_secret },
            },
          },
        }),
      });
    const issued = await appCredentialLogin();
    expect(issued.status).toBe(201);
    const token = issued.headers.get('x-subject-token')!;
    const tokenOnCms = () => fetch(`${keystone.url}/projects/${cmsId}`, { headers: { 'X-Auth-Token': token } }).then((r) => r.status);
    expect(await tokenOnCms()).toBe(200);

    const versionBefore = (await t.http.get('/v1/mapping').set(t.admin)).body.version;
    const dry = await putRules(V3, '?apply=now&dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body.loseAllAccess).toEqual(['bob@infn.it']);
    expect((await t.http.get('/v1/mapping').set(t.admin)).body.version).toBe(versionBefore);
    expect(await rolesOf('bob')).toEqual(['atlas:member', 'cms:member']);

    const started = await putRules(V3, '?apply=now&comment=cms%20leaves');
    expect(started.status).toBe(202);
    expect(started.body.version.version).toBe(versionBefore + 1);
    const run = await waitForRun(started.body.run.id);
    expect(run).toMatchObject({ status: 'done', total: 3, processed: 3, revoked: 4, failedUsers: [] });

    expect(await rolesOf('bob')).toEqual([]);
    expect(await rolesOf('alice')).toEqual(['lhcb:member']);
    // Refused (the token's roles and its application credential are gone), and Keystone no longer validates it.
    expect([401, 404]).toContain(await tokenOnCms());
    const admin = await fetch(`${keystone.url}/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'admin', domain: { id: 'default' }, password: KEYSTONE_ADMIN_PASSWORD } },
          },
          scope: { project: { name: 'admin', domain: { id: 'default' } } },
        },
      }),
    });
    const adminToken = admin.headers.get('x-subject-token')!;
    const validation = await fetch(`${keystone.url}/auth/tokens`, { headers: { 'X-Auth-Token': adminToken, 'X-Subject-Token': token } });
    expect(validation.status).toBe(404);
    // The application credential is gone: Keystone no longer finds it.
    expect((await appCredentialLogin()).status).toBe(404);
    const bobId = await userId('bob');
    expect((await keystone.admin('GET', `/users/${bobId}/application_credentials`)).body.application_credentials).toEqual([]);
    const [audit] = await sql(`SELECT details FROM audit_log WHERE action = 'apply_now' AND target = 'user bob@infn.it'`);
    expect(audit.details.deletedApplicationCredentials).toEqual([cloud.auth.application_credential_id]);
    expect(await sql('SELECT 1 FROM issued_app_credentials')).toEqual([]);
  });

  it('leaves a user it cannot provision fully as before, and finishes on resume', async () => {
    const before = await rolesOf('alice');
    const started = await putRules(V4, '?apply=now');
    expect(started.status).toBe(202);
    const failed = await waitForRun(started.body.run.id);
    expect(failed.status).toBe('failed');
    expect(failed.failedUsers.sort()).toEqual([await userId('alice'), await userId('carol')].sort());
    expect(await rolesOf('alice')).toEqual(before);

    await keystone.admin('POST', '/projects', { project: { name: 'km3net', domain_id: 'default' } });
    const resumed = await t.http.post(`/v1/mapping/apply-runs/${failed.id}/resume`).set(t.admin);
    expect(resumed.status).toBe(202);
    const done = await waitForRun(failed.id);
    expect(done).toMatchObject({ status: 'done', failedUsers: [], processed: 3 });
    expect(await rolesOf('alice')).toEqual(['km3net:member', 'lhcb:member']);
    expect(await rolesOf('carol')).toEqual(['km3net:member', 'lhcb:member']);
  });

  it('disables a dormant user (grants taken back) and a login brings the account back', async () => {
    await sql(`UPDATE federated_users SET last_seen_at = now() - interval '31 days' WHERE user_name = 'carol@infn.it'`);
    const sweep = await t.http.post('/v1/users/dormant/sweep').set(t.admin);
    expect(sweep.status).toBe(200);
    expect(sweep.body.disabled).toEqual(['carol@infn.it']);
    const id = await userId('carol');
    expect((await keystone.admin('GET', `/users/${id}`)).body.user.enabled).toBe(false);
    expect(await rolesOf('carol')).toEqual([]);
    const dormant = await t.http.get('/v1/users/dormant').set(t.admin);
    expect(dormant.body.map((u: any) => u.userName)).toEqual(['carol@infn.it']);
    const [audit] = await sql(`SELECT details FROM audit_log WHERE action = 'dormant_disable'`);
    expect(audit.details.revoked.sort()).toEqual(['project km3net: role member', 'project lhcb: role member']);

    await login('carol');
    expect((await keystone.admin('GET', `/users/${id}`)).body.user.enabled).toBe(true);
    expect(await rolesOf('carol')).toEqual(['km3net:member', 'lhcb:member']);
    expect((await t.http.get('/v1/users/dormant').set(t.admin)).body).toEqual([]);
  });
  it('the CLI previews rules, dry-runs and applies them now, following the run (built CLI)', async () => {
    const file = join(dir, 'v3.json');
    await writeFile(file, JSON.stringify(V3));
    // Asynchronous: the bridge answering the CLI runs in this very process.
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, [join(__dirname, '../../bin/aai-bridge.js'), ...args], {
        env: { ...process.env, AAI_URL: publicUrl, AAI_TOKEN: AAI_ADMIN_TOKEN },
      });
    const preview = await cli('mapping', 'preview', file);
    expect(preview.stdout).toContain('alice@infn.it\n  - project km3net: role member\n');
    expect(preview.stdout).toContain('3 users compared, 2 change: 0 grants gained, 2 lost; 0 lose all access');
    const version = (await t.http.get('/v1/mapping').set(t.admin)).body.version;
    const dry = await cli('mapping', 'put', file, '--apply-now', '--dry-run');
    expect(dry.stdout).toContain('3 users compared, 2 change');
    expect((await t.http.get('/v1/mapping').set(t.admin)).body.version).toBe(version);
    const applied = await cli('mapping', 'put', file, '--apply-now', '--comment', 'km3net ends');
    expect(applied.stdout).toMatch(new RegExp(`run \\d+ \\(version ${version + 1}\\) done: 3/3 users, 0 granted, 2 revoked`));
    expect(await rolesOf('alice')).toEqual(['lhcb:member']);
    expect((await cli('users', 'dormant')).stdout).toBe('no dormant users\n');
  });
});
