import { DataSource } from 'typeorm';
import { DomainError, MetricsRegistry, Principal } from '@app/platform';
import { AllocationRepository, AllocationRow, PortAlreadyHasMac } from './allocation.repository';
import { AllocationService } from './allocation.service';
import { Pool } from '../pools/pool';
import { aPool } from '../pools/pool.fixture';
import { PoolService } from '../pools/pool.service';

const pool = (id: number, name: string, priority: number, networkIds: string[] = []): Pool =>
  aPool({ id, name, priority, scope: { networkIds } });

const row = (portId: string, mac: string, poolName: string): AllocationRow => ({
  portId,
  mac,
  poolId: 1,
  pool: poolName,
  state: 'reserved',
  hostname: null,
  ipv4: null,
  ipv6: null,
  deviceId: null,
  deviceOwner: null,
  projectId: null,
  networkId: null,
  expiresAt: null,
});

const actor: Principal = { name: 'hook-1', role: 'hook' };

/** The service with every collaborator faked: the database, the allocation repository, the pools, metrics. */
function setup(pools: Pool[]) {
  const allocations = {
    reserveRequested: jest.fn().mockResolvedValue(null),
    reserveByHostname: jest.fn().mockResolvedValue(null),
    reserveFromPool: jest.fn().mockResolvedValue(null),
    findByPort: jest.fn().mockResolvedValue(null),
    sweep: jest.fn().mockResolvedValue({ expired: 0, unquarantined: 0 }),
    commit: jest.fn(),
    release: jest.fn(),
  };
  const poolService = { listForAllocation: jest.fn().mockResolvedValue(pools) };
  const db = { manager: {}, transaction: (work: (m: unknown) => unknown) => work({}) };
  const metrics = { counter: () => ({ inc: jest.fn() }) };
  const service = new AllocationService(
    db as unknown as DataSource,
    allocations as unknown as AllocationRepository,
    poolService as unknown as PoolService,
    metrics as unknown as MetricsRegistry,
  );
  return { service, allocations, poolService };
}

const high = pool(10, 'high', 50);
const low = pool(20, 'low', 1);
const elsewhere = pool(30, 'elsewhere', 99, ['other-net']);

describe('AllocationService.reserve', () => {
  it('takes the requested MAC first, canonical, among the admitting pools only', async () => {
    const { service, allocations } = setup([low, high, elsewhere]);
    allocations.reserveRequested.mockResolvedValue(row('p1', '02:00:00:00:00:07', 'high'));
    const out = await service.reserve({ portId: 'p1', networkId: 'net', mac: '02-00-00-00-00-07', hostname: 'vm1' }, actor);
    expect(out).toMatchObject({ created: true, allocation: { mac: '02:00:00:00:00:07' } });
    expect(allocations.reserveRequested).toHaveBeenCalledWith(
      expect.anything(),
      'hook-1',
      [10, 20],
      '02:00:00:00:00:07',
      expect.anything(),
    );
    expect(allocations.reserveByHostname).not.toHaveBeenCalled();
    expect(allocations.reserveFromPool).not.toHaveBeenCalled();
  });

  it('refuses a requested MAC that is no MAC, before touching the pools', async () => {
    const { service, allocations } = setup([high]);
    await expect(service.reserve({ portId: 'p1', mac: 'nope' }, actor)).rejects.toMatchObject({ kind: 'invalid', code: 'invalid_mac' });
    expect(allocations.reserveRequested).not.toHaveBeenCalled();
  });

  it("takes the MAC registered for the port's hostname next, matched by its canonical key", async () => {
    const { service, allocations } = setup([high, low]);
    allocations.reserveByHostname.mockResolvedValue(row('p1', '02:00:00:00:00:09', 'low'));
    const out = await service.reserve({ portId: 'p1', hostname: 'VM1.Cnaf.Infn.It.' }, actor);
    expect(out.allocation.mac).toBe('02:00:00:00:00:09');
    expect(allocations.reserveByHostname).toHaveBeenCalledWith(
      expect.anything(),
      'hook-1',
      [10, 20],
      { full: 'vm1.cnaf.infn.it', short: 'vm1', qualified: true },
      expect.anything(),
    );
    expect(allocations.reserveFromPool).not.toHaveBeenCalled();
  });

  it('then tries the admitting pools by priority, highest first, until one has a free MAC', async () => {
    const { service, allocations } = setup([low, elsewhere, high]);
    allocations.reserveFromPool.mockImplementation(async (_port, _actor, poolId: number) =>
      poolId === low.id ? row('p1', '02:00:00:00:00:01', 'low') : null,
    );
    const out = await service.reserve({ portId: 'p1', networkId: 'net' }, actor);
    expect(out).toMatchObject({ created: true, allocation: { pool: 'low' } });
    expect(allocations.reserveFromPool.mock.calls.map((c) => c[2])).toEqual([high.id, low.id]);
  });

  it('returns the MAC the port already holds, not a second one, when the same port asks again', async () => {
    const { service, allocations } = setup([high]);
    allocations.reserveFromPool.mockResolvedValueOnce(row('p1', '02:00:00:00:00:01', 'high'));
    const first = await service.reserve({ portId: 'p1' }, actor);
    // The reserving statement takes nothing for a port that holds a MAC; the holder is read back.
    allocations.findByPort.mockResolvedValue({ ...row('p1', '02:00:00:00:00:01', 'high'), state: 'allocated' });
    const again = await service.reserve({ portId: 'p1' }, actor);
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, allocation: { mac: first.allocation.mac } });
  });

  it("returns the winner's MAC when a concurrent request for the same port won the race", async () => {
    const { service, allocations } = setup([high]);
    allocations.reserveFromPool.mockRejectedValue(new PortAlreadyHasMac());
    allocations.findByPort.mockResolvedValue(row('p1', '02:00:00:00:00:05', 'high'));
    const out = await service.reserve({ portId: 'p1' }, actor);
    expect(out).toMatchObject({ created: false, allocation: { mac: '02:00:00:00:00:05' } });
  });

  it('looks again once with a fresh pool list after sweeping, before giving up', async () => {
    const { service, allocations, poolService } = setup([high]);
    allocations.reserveFromPool.mockResolvedValueOnce(null).mockResolvedValueOnce(row('p1', '02:00:00:00:00:02', 'high'));
    const out = await service.reserve({ portId: 'p1' }, actor);
    expect(out.created).toBe(true);
    expect(poolService.listForAllocation).toHaveBeenLastCalledWith({ fresh: true });
    expect(allocations.sweep).toHaveBeenCalledTimes(1);
  });

  it('answers pool_exhausted naming the pools it tried, in order', async () => {
    const { service } = setup([low, high, elsewhere]);
    const err = await service.reserve({ portId: 'p1', networkId: 'net' }, actor).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ kind: 'conflict', code: 'pool_exhausted', details: { portId: 'p1', poolsTried: ['high', 'low'] } });
    expect((err as Error).message).toContain('in pools high, low');
  });

  it('answers pool_exhausted with no pool tried when no pool admits the port', async () => {
    const { service, allocations } = setup([elsewhere]);
    await expect(service.reserve({ portId: 'p1', networkId: 'net' }, actor)).rejects.toMatchObject({
      code: 'pool_exhausted',
      details: { poolsTried: [] },
    });
    expect(allocations.reserveFromPool).not.toHaveBeenCalled();
  });
});

describe('AllocationService.reserveBatch', () => {
  it('refuses a batch naming one port twice, before reserving anything', async () => {
    const { service, allocations } = setup([high]);
    await expect(service.reserveBatch([{ portId: 'a' }, { portId: 'a' }], actor)).rejects.toMatchObject({ code: 'duplicate_port' });
    expect(allocations.reserveFromPool).not.toHaveBeenCalled();
  });
});
