import { FederatedUserRepository, ListedUser } from './federated-user.repository';
import { FederatedUsersService } from './federated-users.service';
import { AaiBridgeConfig } from '../config';

const refreshedAt = new Date('2026-11-01T10:00:00Z');
const alice: ListedUser = {
  keystoneUserId: 'u-alice',
  userName: 'alice@infn.it',
  idp: 'https://idp.infn.it/idp',
  lastSeenAt: refreshedAt,
  dormantSince: null,
  grants: [{ kind: 'role', target: 'p/r', label: 'project cms: role member', grantedAt: refreshedAt, refreshedAt }],
};

function setup(expiryDays: number) {
  const repo = { page: jest.fn(async () => ({ total: 1, users: [alice] })) };
  const service = new FederatedUsersService(
    repo as unknown as FederatedUserRepository,
    { AAI_GRANT_EXPIRY_DAYS: expiryDays } as unknown as AaiBridgeConfig,
  );
  return { service, repo };
}

describe('FederatedUsersService.list', () => {
  it('a grant expires AAI_GRANT_EXPIRY_DAYS after its last refresh', async () => {
    const { service } = setup(30);
    const page = await service.list({ limit: 100, offset: 0 });
    expect(page.users[0].grants[0].expiresAt).toEqual(new Date('2026-12-01T10:00:00Z'));
  });

  it('no expiry when AAI_GRANT_EXPIRY_DAYS is 0', async () => {
    const { service } = setup(0);
    expect((await service.list({ limit: 100, offset: 0 })).users[0].grants[0].expiresAt).toBeNull();
  });

  it('a blank filter lists everyone; the page asked for is echoed', async () => {
    const { service, repo } = setup(0);
    await expect(service.list({ q: '  ', limit: 5, offset: 10 })).resolves.toMatchObject({ total: 1, limit: 5, offset: 10 });
    expect(repo.page).toHaveBeenCalledWith(null, 5, 10);
    await service.list({ q: ' alice ', limit: 5, offset: 0 });
    expect(repo.page).toHaveBeenLastCalledWith('alice', 5, 0);
  });
});
