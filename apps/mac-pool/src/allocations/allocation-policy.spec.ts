import { admits, admittingPools } from './allocation-policy';
import type { Pool } from '../pools/pool';
import { aPool } from '../pools/pool.fixture';

const pool = (name: string, priority: number, scope: Partial<Pool['scope']> = {}): Pool => aPool({ id: priority, name, priority, scope });

describe('pool admission', () => {
  it('an empty scope admits any port', () => {
    expect(admits(pool('any', 1), { portId: 'p' })).toBe(true);
  });

  it('a non-empty scope list must name the port value; a missing value is not admitted', () => {
    const scoped = pool('net', 1, { networkIds: ['n1', 'n2'], availabilityZones: ['az1'] });
    expect(admits(scoped, { portId: 'p', networkId: 'n2', availabilityZone: 'az1' })).toBe(true);
    expect(admits(scoped, { portId: 'p', networkId: 'n3', availabilityZone: 'az1' })).toBe(false);
    expect(admits(scoped, { portId: 'p', availabilityZone: 'az1' })).toBe(false);
    expect(admits(pool('proj', 1, { projectIds: ['t1'] }), { portId: 'p', projectId: 't2' })).toBe(false);
  });

  it('orders admitting pools by priority (high first), then name', () => {
    const pools = [pool('b', 10), pool('a', 10), pool('low', 1), pool('top', 50), pool('other-net', 99, { networkIds: ['x'] })];
    expect(admittingPools(pools, { portId: 'p', networkId: 'n' }).map((p) => p.name)).toEqual(['top', 'a', 'b', 'low']);
  });
});
