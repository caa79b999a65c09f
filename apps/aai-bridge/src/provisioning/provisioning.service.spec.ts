import { ProvisioningError, ProvisioningService } from './provisioning.service';

/** A KeystoneClient stand-in: tests the decision to refuse, not Keystone (the e2e suite does that). */
function fakeKeystone() {
  return {
    calls: { read: 0, write: 0, auth: 0 },
    domainId: async () => 'default',
    findUser: async () => ({ id: 'u1', name: 'alice', domain_id: 'default', enabled: true }),
    findProject: async () => null,
    createProject: jest.fn(),
    roles: async () => [{ id: 'r1', name: 'member' }],
  };
}

describe('provisioning decisions', () => {
  const mapped = {
    user: { name: 'alice', type: 'ephemeral' },
    group_ids: [],
    group_names: [],
    projects: [{ name: 'cms', roles: [{ name: 'member' }] }],
  };
  const config = (create: boolean) => ({
    get: (k: string) => ({ AAI_USERS_DOMAIN: 'Default', AAI_PROJECTS_DOMAIN: 'Default', AAI_CREATE_PROJECTS: create })[k],
  });

  it('refuses, naming the project, when it does not exist and creating projects is off', async () => {
    const keystone = fakeKeystone();
    const service = new ProvisioningService(keystone as any, {} as any, {} as any, config(false) as any);
    await expect(service.provision(mapped as any, {})).rejects.toThrow(
      new ProvisioningError('project cms does not exist in Keystone (and AAI_CREATE_PROJECTS is off)'),
    );
    expect(keystone.createProject).not.toHaveBeenCalled();
  });
});
