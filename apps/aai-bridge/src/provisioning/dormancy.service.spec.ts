import { KeystoneError } from '@app/openstack';
import { AuditRepository, ClockRepository, DomainError, MetricsRegistry } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { DormancyService } from './dormancy.service';
import { DormantUser, FederatedUserRepository } from './federated-user.repository';
import { ProvisioningService } from './provisioning.service';
import { KeystoneClient } from '../keystone/keystone.client';

const NOW = new Date('2026-06-01T00:00:00Z');
const BOB: DormantUser = {
  keystoneUserId: 'u-bob',
  userName: 'bob',
  idp: null,
  lastSeenAt: new Date('2026-01-01T00:00:00Z'),
  dormantSince: null,
};

function build(cfg: Partial<AaiBridgeConfig>, o: { stale?: DormantUser[]; dormant?: DormantUser[] } = {}) {
  const users = {
    notSeenSince: jest.fn(async () => o.stale ?? []),
    dormantNotSeenSince: jest.fn(async () => o.dormant ?? []),
    markDormant: jest.fn(async () => true),
    forget: jest.fn(async () => undefined),
    clearAttributesNotSeenSince: jest.fn(async () => 0),
  };
  const provisioning = { revokeAll: jest.fn(async () => ({ granted: [], revoked: ['project cms: role member'], deletedCredentials: 1 })) };
  const keystone = { updateUser: jest.fn(async () => undefined), deleteUser: jest.fn(async () => undefined) };
  const audit = { record: jest.fn(async () => undefined) };
  const service = new DormancyService(
    users as unknown as FederatedUserRepository,
    provisioning as unknown as ProvisioningService,
    keystone as unknown as KeystoneClient,
    audit as unknown as AuditRepository,
    { now: () => NOW, sleep: async () => undefined } as ClockRepository,
    { AAI_DORMANT_DAYS: 0, AAI_DELETE_DAYS: 0, AAI_ATTRIBUTE_RETENTION_DAYS: 0, ...cfg } as AaiBridgeConfig,
    new MetricsRegistry(),
  );
  return { service, users, provisioning, keystone, audit };
}

describe('DormancyService', () => {
  it('does nothing with every setting at 0', async () => {
    const { service, users } = build({});
    expect(await service.sweep()).toEqual({ disabled: [], deleted: [], attributesDropped: 0 });
    expect(users.notSeenSince).not.toHaveBeenCalled();
    expect(users.dormantNotSeenSince).not.toHaveBeenCalled();
    expect(users.clearAttributesNotSeenSince).not.toHaveBeenCalled();
  });

  it('takes back the grants of a user not seen for AAI_DORMANT_DAYS, then disables and marks them', async () => {
    const { service, users, provisioning, keystone, audit } = build({ AAI_DORMANT_DAYS: 90 }, { stale: [BOB] });
    expect((await service.sweep()).disabled).toEqual(['bob']);
    expect(users.notSeenSince).toHaveBeenCalledWith(new Date('2026-03-03T00:00:00Z'), expect.any(Number));
    expect(provisioning.revokeAll).toHaveBeenCalledWith(BOB);
    expect(keystone.updateUser).toHaveBeenCalledWith('u-bob', { enabled: false });
    expect(provisioning.revokeAll.mock.invocationCallOrder[0]).toBeLessThan(keystone.updateUser.mock.invocationCallOrder[0]);
    expect(users.markDormant).toHaveBeenCalledWith('u-bob', NOW);
    expect(audit.record).toHaveBeenCalledWith(expect.objectContaining({ action: 'dormant_disable', target: 'user bob' }));
  });

  it('forgets a user someone already deleted from Keystone', async () => {
    const { service, users, keystone } = build({ AAI_DORMANT_DAYS: 90 }, { stale: [BOB] });
    keystone.updateUser.mockRejectedValueOnce(new KeystoneError('gone', 404));
    await service.sweep();
    expect(users.forget).toHaveBeenCalledWith('u-bob');
    expect(users.markDormant).not.toHaveBeenCalled();
  });

  it('leaves a user Keystone failed on for the next sweep, and goes on with the others', async () => {
    const carol = { ...BOB, keystoneUserId: 'u-carol', userName: 'carol' };
    const { service, users, provisioning } = build({ AAI_DORMANT_DAYS: 90 }, { stale: [BOB, carol] });
    provisioning.revokeAll.mockRejectedValueOnce(new KeystoneError('Keystone down', 0));
    expect((await service.sweep()).disabled).toEqual(['carol']);
    expect(users.markDormant).toHaveBeenCalledTimes(1);
  });

  it('deletes dormant users after AAI_DELETE_DAYS, and everything kept of them', async () => {
    const { service, users, keystone, audit } = build({ AAI_DELETE_DAYS: 365 }, { dormant: [{ ...BOB, dormantSince: NOW }] });
    expect((await service.sweep()).deleted).toEqual(['bob']);
    expect(users.dormantNotSeenSince).toHaveBeenCalledWith(new Date('2025-06-01T00:00:00Z'), expect.any(Number));
    expect(keystone.deleteUser).toHaveBeenCalledWith('u-bob');
    expect(users.forget).toHaveBeenCalledWith('u-bob');
    expect(audit.record).toHaveBeenCalledWith(expect.objectContaining({ action: 'dormant_delete' }));
  });

  it('drops the attributes of users not seen within AAI_ATTRIBUTE_RETENTION_DAYS', async () => {
    const { service, users } = build({ AAI_ATTRIBUTE_RETENTION_DAYS: 30 });
    users.clearAttributesNotSeenSince.mockResolvedValue(4);
    expect((await service.sweep()).attributesDropped).toBe(4);
    expect(users.clearAttributesNotSeenSince).toHaveBeenCalledWith(new Date('2026-05-02T00:00:00Z'));
  });

  it('forgets a user whose grants cannot be taken back because Keystone no longer has the user', async () => {
    const { service, users, keystone, provisioning } = build({ AAI_DORMANT_DAYS: 90 }, { stale: [BOB] });
    provisioning.revokeAll.mockRejectedValueOnce(DomainError.notFound('user_gone', 'gone'));
    await service.sweep();
    expect(users.forget).toHaveBeenCalledWith('u-bob');
    expect(keystone.updateUser).not.toHaveBeenCalled();
  });
});
