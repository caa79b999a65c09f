import { DataSource } from 'typeorm';
import { KeystoneClient } from '../../apps/aai-bridge/src/keystone/keystone.client';
import { ProvisioningService } from '../../apps/aai-bridge/src/provisioning/provisioning.service';
import { TestApp, startAaiBridge } from '../support/aai-bridge-app';
import { KEYSTONE_ADMIN_PASSWORD, KeystonePeer, keystoneAvailable, startKeystone } from '../support/keystone';

const peer = keystoneAvailable('aai-bridge provisioning e2e') ? describe : describe.skip;

const RULES = {
  rules: [
    { local: [{ user: { name: '{0}', email: '{1}' } }], remote: [{ type: 'eduPersonPrincipalName' }, { type: 'mail' }] },
    {
      local: [{ projects: [{ name: 'cms', roles: [{ name: 'member' }] }] }, { group: { name: 'cms-users', domain: { name: 'Default' } } }],
      remote: [{ type: 'isMemberOf', any_one_of: ['infn:cms'] }],
    },
    { local: [{ projects: [{ name: 'lhcb', roles: [{ name: 'reader' }] }] }], remote: [{ type: 'isMemberOf', any_one_of: ['infn:lhcb'] }] },
    { local: [{ projects: [{ name: 'exp-{0}', roles: [{ name: 'member' }] }] }], remote: [{ type: 'newExperiment' }] },
  ],
};

/** Provisioning against the real Keystone: grants, and revocation of only what the bridge granted. */
peer('aai-bridge: Keystone provisioning (real Keystone)', () => {
  let keystone: KeystonePeer;
  let t: TestApp;
  const ids: Record<string, string> = {};

  const provision = (assertion: Record<string, string>) => t.http.post('/v1/provisioning').set(t.admin).send({ assertion });
  const assignments = async (userId: string) => {
    const res = await keystone.admin('GET', `/role_assignments?user.id=${userId}&include_names=true`);
    return res.body.role_assignments.map((a: any) => `${a.scope.project.name}:${a.role.name}`).sort();
  };
  const groupsOf = async (userId: string) =>
    (await keystone.admin('GET', `/users/${userId}/groups`)).body.groups.map((g: any) => g.name).sort();

  beforeAll(async () => {
    keystone = await startKeystone();
    for (const name of ['cms', 'lhcb'])
      ids[name] = (await keystone.admin('POST', '/projects', { project: { name, domain_id: 'default' } })).body.project.id;
    ids.group = (await keystone.admin('POST', '/groups', { group: { name: 'cms-users', domain_id: 'default' } })).body.group.id;
    t = await startAaiBridge({
      KEYSTONE_URL: keystone.url,
      KEYSTONE_ADMIN_PASSWORD,
      AAI_CREATE_PROJECTS: 'true',
      AAI_GRANT_EXPIRY_DAYS: '30',
    });
    expect((await t.http.put('/v1/mapping').set(t.admin).send(RULES)).status).toBe(200);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await keystone?.stop();
  });

  it('creates the user and grants the mapped roles and groups', async () => {
    const res = await provision({
      eduPersonPrincipalName: 'alice@infn.it',
      mail: 'alice@cnaf.infn.it',
      displayName: 'Alice Rossi',
      isMemberOf: 'infn:cms;infn:lhcb',
    });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ name: 'alice@infn.it', created: true });
    expect(res.body.granted.sort()).toEqual(['group cms-users', 'project cms: role member', 'project lhcb: role reader']);
    ids.alice = res.body.user.id;
    expect(await assignments(ids.alice)).toEqual(['cms:member', 'lhcb:reader']);
    expect(await groupsOf(ids.alice)).toEqual(['cms-users']);
    const user = (await keystone.admin('GET', `/users/${ids.alice}`)).body.user;
    expect(user).toMatchObject({ email: 'alice@cnaf.infn.it', description: 'Alice Rossi', domain_id: 'default' });
    expect(res.body.keystoneCalls.write).toBe(4); // user, two roles, one group
  });

  it('makes no Keystone call at all on a second login with the same attributes', async () => {
    const calls = t.app.get(KeystoneClient).calls;
    const before = { ...calls };
    const res = await provision({
      eduPersonPrincipalName: 'alice@infn.it',
      mail: 'alice@cnaf.infn.it',
      displayName: 'Alice Rossi',
      isMemberOf: 'infn:cms;infn:lhcb',
    });
    expect(res.body).toMatchObject({ granted: [], revoked: [], keystoneCalls: { read: 0, write: 0, auth: 0 } });
    expect(res.body.user).toMatchObject({ id: ids.alice, name: 'alice@infn.it', created: false });
    expect(calls).toEqual(before);
  });

  it('revokes what the bridge granted when the IdP stops asserting it, and nothing anyone else granted', async () => {
    const admin = (await keystone.admin('GET', '/roles?name=admin')).body.roles[0].id;
    expect((await keystone.admin('PUT', `/projects/${ids.lhcb}/users/${ids.alice}/roles/${admin}`)).status).toBe(204);
    const res = await provision({ eduPersonPrincipalName: 'alice@infn.it', mail: 'alice@cnaf.infn.it', isMemberOf: 'infn:cms' });
    expect(res.body.revoked).toEqual(['project lhcb: role reader']);
    expect(await assignments(ids.alice)).toEqual(['cms:member', 'lhcb:admin']);

    const gone = await provision({ eduPersonPrincipalName: 'alice@infn.it', mail: 'alice@cnaf.infn.it', isMemberOf: 'infn:other' });
    expect(gone.body.revoked.sort()).toEqual(['group cms-users', 'project cms: role member']);
    expect(await assignments(ids.alice)).toEqual(['lhcb:admin']);
    expect(await groupsOf(ids.alice)).toEqual([]);
  });

  it('keeps email current and creates mapped projects when allowed', async () => {
    const res = await provision({ eduPersonPrincipalName: 'alice@infn.it', mail: 'alice.rossi@infn.it', newExperiment: 'km3net' });
    expect(res.body.granted).toEqual(['project exp-km3net: role member']);
    expect((await keystone.admin('GET', `/users/${ids.alice}`)).body.user.email).toBe('alice.rossi@infn.it');
    expect((await keystone.admin('GET', '/projects?name=exp-km3net')).body.projects).toHaveLength(1);
  });

  it('fails clearly on a role Keystone does not have, leaving nothing half-applied', async () => {
    await t.http
      .put('/v1/mapping')
      .set(t.admin)
      .send({
        rules: [
          ...RULES.rules,
          {
            local: [{ projects: [{ name: 'cms', roles: [{ name: 'no-such-role' }] }] }],
            remote: [{ type: 'eduPersonPrincipalName', any_one_of: ['bob@infn.it'] }],
          },
        ],
      });
    const res = await provision({ eduPersonPrincipalName: 'bob@infn.it', mail: 'bob@infn.it', isMemberOf: 'infn:cms' });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'provisioning_failed', message: 'role no-such-role does not exist in Keystone' });
    await t.http.put('/v1/mapping').set(t.admin).send(RULES);
  });

  it('describes in /docs-json what comes back, not only what goes in', async () => {
    const docs = await t.http.get('/docs-json');
    const returned = (path: string, method: string) => docs.body.paths[path][method].responses['200'].content['application/json'].schema;
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    expect(returned('/v1/provisioning', 'post')).toEqual(ref('ProvisionResultDto'));
    expect(returned('/v1/mapping', 'get')).toEqual(ref('MappingVersionDto'));
    expect(returned('/v1/mapping/history', 'get')).toEqual({ type: 'array', items: ref('MappingVersionDto') });
    expect(returned('/v1/mapping/test', 'post')).toEqual(ref('MappedPropertiesDto'));
    expect(returned('/me', 'get')).toEqual(ref('MeDto'));
    expect(Object.keys(docs.body.components.schemas.ProvisionResultDto.properties)).toEqual(
      expect.arrayContaining(['user', 'projects', 'groups', 'granted', 'revoked', 'keystoneCalls']),
    );
  });

  it('revokes grants no login refreshed within the expiry', async () => {
    const res = await provision({ eduPersonPrincipalName: 'carol@infn.it', mail: 'carol@infn.it', isMemberOf: 'infn:cms' });
    const carol = res.body.user.id;
    expect(await assignments(carol)).toEqual(['cms:member']);
    const service = t.app.get(ProvisioningService);
    expect(await service.revokeExpired(new Date(Date.now() + 29 * 86_400_000))).toBe(0);
    expect(await service.revokeExpired(new Date(Date.now() + 31 * 86_400_000))).toBeGreaterThanOrEqual(2);
    expect(await assignments(carol)).toEqual([]);
    expect(await groupsOf(carol)).toEqual([]);
    // Expiry cleared what the last login decided: the next login provisions in full and grants again.
    const again = await provision({ eduPersonPrincipalName: 'carol@infn.it', mail: 'carol@infn.it', isMemberOf: 'infn:cms' });
    expect(again.body.granted.sort()).toEqual(['group cms-users', 'project cms: role member']);
    expect(await assignments(carol)).toEqual(['cms:member']);
  });

  it('still revokes in Keystone, after a login that skipped Keystone, a role a rule change drops', async () => {
    const dave = { eduPersonPrincipalName: 'dave@infn.it', mail: 'dave@infn.it', isMemberOf: 'infn:cms;infn:lhcb' };
    const first = await provision(dave);
    expect(await assignments(first.body.user.id)).toEqual(['cms:member', 'lhcb:reader']);
    const refreshed = async () =>
      (
        await t.app
          .get(DataSource)
          .query('SELECT max(refreshed_at) AS at FROM keystone_grants WHERE keystone_user_id = $1', [first.body.user.id])
      )[0].at as Date;
    const refreshedBefore = await refreshed();
    const calls = t.app.get(KeystoneClient).calls;
    const before = { ...calls };
    expect((await provision(dave)).status).toBe(200);
    expect(calls).toEqual(before);
    // Skipping Keystone still refreshes the grants as a login does (grant expiry counts from it).
    expect((await refreshed()).getTime()).toBeGreaterThan(refreshedBefore.getTime());
    const withoutLhcb = { rules: RULES.rules.filter((r) => !JSON.stringify(r).includes('lhcb')) };
    expect((await t.http.put('/v1/mapping').set(t.admin).send(withoutLhcb)).status).toBe(200);
    try {
      const after = await provision(dave);
      expect(after.body.revoked).toEqual(['project lhcb: role reader']);
      expect(await assignments(first.body.user.id)).toEqual(['cms:member']);
    } finally {
      expect((await t.http.put('/v1/mapping').set(t.admin).send(RULES)).status).toBe(200);
    }
  });
});
