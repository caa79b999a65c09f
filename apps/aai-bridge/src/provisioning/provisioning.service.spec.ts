import { MappedProperties } from '@app/keystone-mapping';
import { AuditRepository, ClockRepository, CryptoRepository, DomainError } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { FederatedUserRepository } from './federated-user.repository';
import { Grant } from './grant-plan';
import { GrantRepository } from './grant.repository';
import { IssuedCredentialRepository } from './issued-credential.repository';
import { ProvisioningService } from './provisioning.service';
import { KeystoneClient, KeystoneError, KsUser } from '../keystone/keystone.client';
import { MappingService } from '../mapping/mapping.service';

const ALICE: KsUser = { id: 'u1', name: 'alice', domain_id: 'default', enabled: true };

/** Keystone as the bridge sees it: projects cms and lhcb, roles member and admin, group cms-users. */
function fakeKeystone(o: { user?: KsUser | null; roleAssignments?: Array<{ projectId: string; roleId: string }>; groups?: string[] } = {}) {
  const projects: Record<string, string> = { cms: 'p-cms', lhcb: 'p-lhcb' };
  return {
    calls: { read: 0, write: 0, auth: 0 },
    domainId: jest.fn(async () => 'default'),
    findUser: jest.fn(async () => (o.user === undefined ? ALICE : o.user)),
    createUser: jest.fn(async (u: { name: string; domain_id: string }) => ({ ...u, id: 'u-new', enabled: true })),
    updateUser: jest.fn(async () => undefined),
    findProject: jest.fn(async (_domain: string, name: string) => (projects[name] ? { id: projects[name], name } : null)),
    createProject: jest.fn(async (_domain: string, name: string) => ({ id: `p-new-${name}`, name })),
    roles: jest.fn(async () => [
      { id: 'r-member', name: 'member' },
      { id: 'r-admin', name: 'admin' },
    ]),
    findGroup: jest.fn(async (_domain: string, name: string) => (name === 'cms-users' ? { id: 'g-cms', name } : null)),
    projectRoleAssignments: jest.fn(async () => o.roleAssignments ?? []),
    userGroups: jest.fn(async () => (o.groups ?? []).map((id) => ({ id, name: id }))),
    grantProjectRole: jest.fn(async () => undefined),
    revokeProjectRole: jest.fn(async () => undefined),
    addToGroup: jest.fn(async () => undefined),
    removeFromGroup: jest.fn(async () => undefined),
    deleteApplicationCredential: jest.fn(async () => undefined),
  };
}

/** The bridge's records of what it granted. */
function fakeGrants(recorded: Grant[] = []) {
  return {
    forUser: jest.fn(async () => recorded),
    record: jest.fn(async () => undefined),
    forget: jest.fn(async () => undefined),
    notRefreshedSince: jest.fn(async () => []),
  };
}

/** What the bridge remembers per user, and the application credentials it issued. */
function fakeUsers(dormant = false) {
  // The last full provisioning per user, as the federated_users columns keep it.
  const last = new Map<string, { userName: string; fingerprint: string; result: unknown; at: Date }>();
  return {
    seen: jest.fn(async (u: { keystoneUserId: string; userName: string }) => {
      const l = last.get(u.keystoneUserId);
      if (l) l.userName = u.userName;
      else last.set(u.keystoneUserId, { userName: u.userName, fingerprint: '', result: null, at: new Date(0) });
    }),
    isDormant: jest.fn(async () => dormant),
    seenUnchanged: jest.fn(async () => undefined),
    lastProvisioning: jest.fn(async (userName: string, since: Date) =>
      dormant
        ? []
        : [...last.entries()]
            .filter(([, l]) => l.userName === userName && l.fingerprint && l.at > since)
            .map(([keystoneUserId, l]) => ({ keystoneUserId, fingerprint: l.fingerprint, result: l.result })),
    ),
    provisioned: jest.fn(async (keystoneUserId: string, fingerprint: string, result: unknown, at: Date) => {
      last.set(keystoneUserId, { userName: last.get(keystoneUserId)?.userName ?? '', fingerprint, result, at });
    }),
    clearProvisioning: jest.fn(async (keystoneUserId: string) => {
      const l = last.get(keystoneUserId);
      if (l) l.fingerprint = '';
    }),
  };
}
function fakeCredentials(issued: Array<{ credentialId: string; keystoneUserId: string; projectId: string }> = []) {
  return {
    record: jest.fn(async () => undefined),
    forUser: jest.fn(async (_user: string, projects?: string[]) => issued.filter((c) => !projects || projects.includes(c.projectId))),
    forget: jest.fn(async () => undefined),
  };
}

const RULES_READ = { rules: [{ local: [], remote: [{ type: 'isMemberOf' }, { type: 'eduPersonPrincipalName' }] }] };

const config = (o: Partial<AaiBridgeConfig> = {}) =>
  ({
    AAI_USERS_DOMAIN: 'Default',
    AAI_PROJECTS_DOMAIN: 'Default',
    AAI_CREATE_PROJECTS: false,
    AAI_GRANT_EXPIRY_DAYS: 0,
    ...o,
  }) as AaiBridgeConfig;

function build(keystone = fakeKeystone(), grants = fakeGrants(), cfg = config(), users = fakeUsers(), credentials = fakeCredentials()) {
  const audit = { record: jest.fn(async () => undefined) };
  const mappingService = { rules: jest.fn(async (): Promise<unknown> => RULES_READ) };
  const time = { now: new Date('2026-01-01T00:00:00Z') };
  const clock = { now: () => time.now, sleep: async () => undefined };
  const service = new ProvisioningService(
    keystone as unknown as KeystoneClient,
    grants as unknown as GrantRepository,
    users as unknown as FederatedUserRepository,
    credentials as unknown as IssuedCredentialRepository,
    mappingService as unknown as MappingService,
    audit as unknown as AuditRepository,
    clock as ClockRepository,
    new CryptoRepository(),
    cfg,
  );
  return { service, keystone, grants, audit, users, credentials, mappingService, time };
}

const mapping = (o: Partial<MappedProperties> = {}): MappedProperties => ({
  user: { name: 'alice', type: 'ephemeral' },
  group_ids: [],
  group_names: [],
  projects: [{ name: 'cms', roles: [{ name: 'member' }] }],
  ...o,
});

describe('ProvisioningService', () => {
  it('grants a mapped role the user lacks, recording it first', async () => {
    const { service, keystone, grants } = build();
    const result = await service.provision(mapping(), {});
    expect(result.granted).toEqual(['project cms: role member']);
    expect(grants.record).toHaveBeenCalledWith('u1', 'alice', [
      { kind: 'role', target: 'p-cms/r-member', label: 'project cms: role member' },
    ]);
    expect(keystone.grantProjectRole).toHaveBeenCalledWith('p-cms', 'u1', 'r-member');
    expect(grants.record.mock.invocationCallOrder[0]).toBeLessThan(keystone.grantProjectRole.mock.invocationCallOrder[0]);
  });

  it('does not grant again what Keystone already holds, but refreshes its record', async () => {
    const held = { kind: 'role' as const, target: 'p-cms/r-member', label: 'project cms: role member' };
    const { service, keystone, grants } = build(
      fakeKeystone({ roleAssignments: [{ projectId: 'p-cms', roleId: 'r-member' }] }),
      fakeGrants([held]),
    );
    const result = await service.provision(mapping(), {});
    expect(result.granted).toEqual([]);
    expect(keystone.grantProjectRole).not.toHaveBeenCalled();
    expect(grants.record).toHaveBeenCalledWith('u1', 'alice', [held]);
  });

  it("revokes the bridge's own grant the mapping no longer yields, and forgets it", async () => {
    const old = { kind: 'role' as const, target: 'p-lhcb/r-member', label: 'project lhcb: role member' };
    const { service, keystone, grants, audit } = build(
      fakeKeystone({ roleAssignments: [{ projectId: 'p-lhcb', roleId: 'r-member' }] }),
      fakeGrants([old]),
    );
    const result = await service.provision(mapping({ projects: [] }), {});
    expect(result.revoked).toEqual(['project lhcb: role member']);
    expect(keystone.revokeProjectRole).toHaveBeenCalledWith('p-lhcb', 'u1', 'r-member');
    expect(grants.forget).toHaveBeenCalledWith('u1', { ...old, present: true });
    expect(audit.record).toHaveBeenCalledWith(expect.objectContaining({ action: 'provision', target: 'user alice' }));
  });

  it('leaves alone a role someone else granted (present, never recorded)', async () => {
    const { service, keystone } = build(fakeKeystone({ roleAssignments: [{ projectId: 'p-lhcb', roleId: 'r-admin' }] }));
    const result = await service.provision(mapping({ projects: [] }), {});
    expect(result.revoked).toEqual([]);
    expect(keystone.revokeProjectRole).not.toHaveBeenCalled();
  });

  it('forgets a recorded grant already gone from Keystone without calling Keystone to revoke it', async () => {
    const gone = { kind: 'group' as const, target: 'g-old', label: 'group old' };
    const { service, keystone, grants } = build(fakeKeystone(), fakeGrants([gone]));
    await service.provision(mapping({ projects: [] }), {});
    expect(keystone.removeFromGroup).not.toHaveBeenCalled();
    expect(grants.forget).toHaveBeenCalledWith('u1', { ...gone, present: false });
  });

  it('adds the user to a mapped group found by name', async () => {
    const { service, keystone } = build();
    const result = await service.provision(
      mapping({ projects: [], group_names: [{ name: 'cms-users', domain: { name: 'Default' } }] }),
      {},
    );
    expect(result.groups).toEqual([{ id: 'g-cms', name: 'cms-users' }]);
    expect(keystone.addToGroup).toHaveBeenCalledWith('g-cms', 'u1');
  });

  it('refuses (unprocessable) a mapped group Keystone does not have', async () => {
    const { service } = build();
    await expect(service.provision(mapping({ group_names: [{ name: 'nope', domain: { name: 'Default' } }] }), {})).rejects.toMatchObject({
      kind: 'unprocessable',
      code: 'provisioning_failed',
      message: 'group nope does not exist in Keystone domain Default',
    });
  });

  it('refuses (unprocessable), naming the project, when it does not exist and creating projects is off', async () => {
    const { service, keystone } = build();
    await expect(service.provision(mapping({ projects: [{ name: 'km3net', roles: [{ name: 'member' }] }] }), {})).rejects.toEqual(
      DomainError.unprocessable('provisioning_failed', 'project km3net does not exist in Keystone (and AAI_CREATE_PROJECTS is off)'),
    );
    expect(keystone.createProject).not.toHaveBeenCalled();
  });

  it('creates a missing mapped project when AAI_CREATE_PROJECTS is on', async () => {
    const { service, keystone } = build(fakeKeystone(), fakeGrants(), config({ AAI_CREATE_PROJECTS: true }));
    const result = await service.provision(mapping({ projects: [{ name: 'km3net', roles: [{ name: 'member' }] }] }), {});
    expect(keystone.createProject).toHaveBeenCalledWith('default', 'km3net', expect.any(String));
    expect(result.granted).toEqual(['project km3net: role member']);
  });

  it('refuses (unprocessable) a mapped role Keystone does not have, after looking again once', async () => {
    const { service, keystone } = build();
    await expect(service.provision(mapping({ projects: [{ name: 'cms', roles: [{ name: 'pilot' }] }] }), {})).rejects.toMatchObject({
      kind: 'unprocessable',
      message: 'role pilot does not exist in Keystone',
    });
    expect(keystone.roles).toHaveBeenCalledTimes(2);
  });

  it('creates a user the first time, without asking Keystone what a new user holds', async () => {
    const { service, keystone } = build(fakeKeystone({ user: null }));
    const result = await service.provision(mapping(), { mail: ['alice@infn.it'], displayName: ['Alice'] });
    expect(result.user).toEqual({ id: 'u-new', name: 'alice', domainId: 'default', created: true });
    expect(keystone.createUser).toHaveBeenCalledWith({ name: 'alice', domain_id: 'default', email: 'alice@infn.it', description: 'Alice' });
    expect(keystone.projectRoleAssignments).not.toHaveBeenCalled();
  });

  it('keeps the email current on an existing user', async () => {
    const { service, keystone } = build(fakeKeystone({ user: { ...ALICE, email: 'old@infn.it' } }));
    await service.provision(mapping(), { mail: ['new@infn.it'] });
    expect(keystone.updateUser).toHaveBeenCalledWith('u1', { email: 'new@infn.it' });
  });

  it('revokes nothing for expiry when AAI_GRANT_EXPIRY_DAYS is 0', async () => {
    const { service, grants } = build();
    expect(await service.revokeExpired()).toBe(0);
    expect(grants.notRefreshedSince).not.toHaveBeenCalled();
  });

  it('revokes grants not refreshed within AAI_GRANT_EXPIRY_DAYS of the clock', async () => {
    const grants = fakeGrants();
    const stale = { keystoneUserId: 'u1', userName: 'alice', kind: 'group' as const, target: 'g-cms', label: 'group cms-users' };
    grants.notRefreshedSince.mockResolvedValue([stale] as never);
    const { service, keystone } = build(fakeKeystone(), grants, config({ AAI_GRANT_EXPIRY_DAYS: 30 }));
    expect(await service.revokeExpired()).toBe(1);
    expect(grants.notRefreshedSince).toHaveBeenCalledWith(new Date('2025-12-02T00:00:00Z'));
    expect(keystone.removeFromGroup).toHaveBeenCalledWith('g-cms', 'u1');
  });
  it('remembers only the attributes the rules read, and the issuing IdP', async () => {
    const { service, users } = build();
    await service.provision(mapping(), {
      eduPersonPrincipalName: ['alice@infn.it'],
      isMemberOf: ['infn:cms'],
      mail: ['alice@infn.it'],
      idp: ['https://idp.infn.it'],
    });
    expect(users.seen).toHaveBeenCalledWith({
      keystoneUserId: 'u1',
      userName: 'alice',
      idp: 'https://idp.infn.it',
      attributes: { eduPersonPrincipalName: ['alice@infn.it'], isMemberOf: ['infn:cms'] },
      at: new Date('2026-01-01T00:00:00Z'),
    });
  });

  it('undoes what a plan already changed when a later Keystone call fails, and forgets the new records', async () => {
    const old = { kind: 'role' as const, target: 'p-lhcb/r-member', label: 'project lhcb: role member' };
    const keystone = fakeKeystone({ roleAssignments: [{ projectId: 'p-lhcb', roleId: 'r-member' }] });
    keystone.addToGroup.mockRejectedValueOnce(new Error('Keystone down'));
    const { service, grants } = build(keystone, fakeGrants([old]));
    await expect(
      service.reprovision(
        { keystoneUserId: 'u1', userName: 'alice' },
        mapping({ group_names: [{ name: 'cms-users', domain: { name: 'Default' } }] }),
      ),
    ).rejects.toThrow('Keystone down');
    // The role granted before the failure is taken back; the old role was never revoked.
    expect(keystone.grantProjectRole).toHaveBeenCalledWith('p-cms', 'u1', 'r-member');
    expect(keystone.revokeProjectRole).toHaveBeenCalledWith('p-cms', 'u1', 'r-member');
    expect(keystone.revokeProjectRole).not.toHaveBeenCalledWith('p-lhcb', 'u1', 'r-member');
    expect(grants.forget).not.toHaveBeenCalledWith('u1', expect.objectContaining({ target: 'p-lhcb/r-member' }));
    expect(grants.forget).toHaveBeenCalledWith('u1', expect.objectContaining({ target: 'p-cms/r-member' }));
    expect(grants.forget).toHaveBeenCalledWith('u1', expect.objectContaining({ target: 'g-cms' }));
  });

  it('deletes the application credentials it issued on a project where a role is revoked, and only those', async () => {
    const old = { kind: 'role' as const, target: 'p-lhcb/r-member', label: 'project lhcb: role member' };
    const credentials = fakeCredentials([
      { credentialId: 'ac-lhcb', keystoneUserId: 'u1', projectId: 'p-lhcb' },
      { credentialId: 'ac-cms', keystoneUserId: 'u1', projectId: 'p-cms' },
    ]);
    const { service, keystone } = build(
      fakeKeystone({ roleAssignments: [{ projectId: 'p-lhcb', roleId: 'r-member' }] }),
      fakeGrants([old]),
      config(),
      fakeUsers(),
      credentials,
    );
    const result = await service.reprovision({ keystoneUserId: 'u1', userName: 'alice' }, mapping());
    expect(result).toEqual({ granted: ['project cms: role member'], revoked: ['project lhcb: role member'], deletedCredentials: 1 });
    expect(keystone.deleteApplicationCredential).toHaveBeenCalledTimes(1);
    expect(keystone.deleteApplicationCredential).toHaveBeenCalledWith('u1', 'ac-lhcb');
    expect(credentials.forget).toHaveBeenCalledWith('ac-lhcb');
  });

  it('a login re-enables an account the bridge disabled as dormant', async () => {
    const keystone = fakeKeystone({ user: { ...ALICE, enabled: false } });
    const { service } = build(keystone, fakeGrants(), config(), fakeUsers(true));
    await service.provision(mapping(), {});
    expect(keystone.updateUser).toHaveBeenCalledWith('u1', { enabled: true });
  });

  it('a login leaves disabled an account an administrator disabled', async () => {
    const keystone = fakeKeystone({ user: { ...ALICE, enabled: false } });
    const { service } = build(keystone, fakeGrants(), config(), fakeUsers(false));
    await service.provision(mapping(), {});
    expect(keystone.updateUser).not.toHaveBeenCalled();
  });

  it('says user_gone (not_found) when a known user was deleted in Keystone meanwhile', async () => {
    const keystone = fakeKeystone();
    keystone.userGroups.mockRejectedValueOnce(new KeystoneError('Keystone GET /users/u1/groups: HTTP 404', 404));
    const { service } = build(keystone);
    await expect(service.reprovision({ keystoneUserId: 'u1', userName: 'alice' }, mapping())).rejects.toMatchObject({
      kind: 'not_found',
      code: 'user_gone',
    });
    expect(keystone.grantProjectRole).not.toHaveBeenCalled();
  });

  describe('a repeated login with nothing changed', () => {
    const held = () => [{ kind: 'role' as const, target: 'p-cms/r-member', label: 'project cms: role member' }];
    const holding = () => fakeKeystone({ roleAssignments: [{ projectId: 'p-cms', roleId: 'r-member' }] });
    const recheck = config({ AAI_PROVISION_RECHECK_MINUTES: 60 });

    it('answers the stored result without asking Keystone, seeing the user and refreshing the grant records', async () => {
      const { service, keystone, grants, users } = build(holding(), fakeGrants(held()), recheck);
      const attributes = { idp: ['https://idp.infn.it'], isMemberOf: ['infn:cms'], mail: ['a@infn.it'] };
      const first = await service.provision(mapping(), attributes);
      keystone.findUser.mockClear();
      keystone.projectRoleAssignments.mockClear();
      grants.record.mockClear();
      const again = await service.provision(mapping(), attributes);
      expect(keystone.findUser).not.toHaveBeenCalled();
      expect(keystone.projectRoleAssignments).not.toHaveBeenCalled();
      expect(again.keystoneCalls).toEqual({ read: 0, write: 0, auth: 0 });
      expect({ user: again.user, projects: again.projects, groups: again.groups }).toEqual({
        user: first.user,
        projects: first.projects,
        groups: first.groups,
      });
      expect(grants.record).not.toHaveBeenCalled();
      expect(users.seenUnchanged).toHaveBeenCalledWith({
        keystoneUserId: 'u1',
        userName: 'alice',
        idp: 'https://idp.infn.it',
        attributes: { isMemberOf: ['infn:cms'] },
        at: new Date('2026-01-01T00:00:00Z'),
      });
    });

    it('provisions in full when the attributes map to something else', async () => {
      const { service, keystone } = build(holding(), fakeGrants(held()), recheck);
      await service.provision(mapping(), {});
      keystone.findUser.mockClear();
      const again = await service.provision(mapping({ projects: [{ name: 'cms', roles: [{ name: 'admin' }] }] }), {});
      expect(keystone.findUser).toHaveBeenCalled();
      expect(again.granted).toEqual(['project cms: role admin']);
    });

    it('provisions in full when the stored rules changed', async () => {
      const { service, keystone, mappingService } = build(holding(), fakeGrants(held()), recheck);
      await service.provision(mapping(), {});
      keystone.findUser.mockClear();
      mappingService.rules.mockResolvedValue({ rules: [] });
      await service.provision(mapping(), {});
      expect(keystone.findUser).toHaveBeenCalled();
    });

    it("provisions in full when the bridge's grant records changed (a grant revoked meanwhile)", async () => {
      const recorded = held();
      const { service, keystone } = build(holding(), fakeGrants(recorded), recheck);
      await service.provision(mapping(), {});
      keystone.findUser.mockClear();
      recorded.pop();
      await service.provision(mapping(), {});
      expect(keystone.findUser).toHaveBeenCalled();
    });

    it('provisions in full once the last full provisioning is older than AAI_PROVISION_RECHECK_MINUTES', async () => {
      const { service, keystone, time } = build(holding(), fakeGrants(held()), recheck);
      await service.provision(mapping(), {});
      keystone.findUser.mockClear();
      time.now = new Date(time.now.getTime() + 59 * 60_000);
      await service.provision(mapping(), {});
      expect(keystone.findUser).not.toHaveBeenCalled();
      time.now = new Date(time.now.getTime() + 2 * 60_000);
      await service.provision(mapping(), {});
      expect(keystone.findUser).toHaveBeenCalled();
    });

    it('always provisions in full when AAI_PROVISION_RECHECK_MINUTES is 0', async () => {
      const { service, keystone, users } = build(holding(), fakeGrants(held()), config({ AAI_PROVISION_RECHECK_MINUTES: 0 }));
      await service.provision(mapping(), {});
      await service.provision(mapping(), {});
      expect(keystone.findUser).toHaveBeenCalledTimes(2);
      expect(users.lastProvisioning).not.toHaveBeenCalled();
    });

    it('provisions in full after apply-now re-provisioned the user (the fingerprint is cleared)', async () => {
      const { service, keystone, users } = build(holding(), fakeGrants(held()), recheck);
      await service.provision(mapping(), {});
      await service.reprovision({ keystoneUserId: 'u1', userName: 'alice' }, mapping());
      expect(users.clearProvisioning).toHaveBeenCalledWith('u1');
      keystone.findUser.mockClear();
      await service.provision(mapping(), {});
      expect(keystone.findUser).toHaveBeenCalled();
    });
  });
});
