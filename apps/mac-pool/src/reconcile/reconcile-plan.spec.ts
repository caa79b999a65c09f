import { LiveAllocation, planReconcile } from './reconcile-plan';

const now = new Date('2026-11-25T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);
const alloc = (portId: string, mac: string, state: LiveAllocation['state'], ageSeconds: number): LiveAllocation => ({
  portId,
  mac,
  state,
  stateChangedAt: ago(ageSeconds),
});

describe('reconcile plan', () => {
  it('releases allocations of vanished ports only after the grace period', () => {
    const plan = planReconcile(
      [],
      [alloc('gone', '02:00:00:00:00:01', 'allocated', 600), alloc('young', '02:00:00:00:00:02', 'reserved', 10)],
      [],
      now,
      300,
    );
    expect(plan.release.map((a) => a.portId)).toEqual(['gone']);
  });

  it('commits reservations whose port exists with the same MAC', () => {
    const ports = [
      { id: 'p1', mac: '02:00:00:00:00:01', deviceOwner: 'compute:nova' },
      { id: 'p2', mac: '02:00:00:00:00:02', deviceOwner: 'compute:nova' },
    ];
    const plan = planReconcile(
      ports,
      [alloc('p1', '02:00:00:00:00:01', 'reserved', 1), alloc('p2', '02:00:00:00:00:02', 'allocated', 1)],
      [],
      now,
      300,
    );
    expect(plan.commit.map((a) => a.portId)).toEqual(['p1']);
    expect(plan.release).toEqual([]);
  });

  it('reports a port whose MAC differs from its allocation', () => {
    const plan = planReconcile(
      [{ id: 'p1', mac: 'fa:16:3e:00:00:01', deviceOwner: '' }],
      [alloc('p1', '02:00:00:00:00:01', 'reserved', 1)],
      [],
      now,
      300,
    );
    expect(plan.macMismatch).toEqual([{ portId: 'p1', allocatedMac: '02:00:00:00:00:01', portMac: 'fa:16:3e:00:00:01' }]);
    expect(plan.commit).toEqual([]);
  });

  it('reports ports carrying a pool MAC without an allocation', () => {
    const ports = [
      { id: 'p1', mac: '02:00:00:00:00:09', deviceOwner: '' },
      { id: 'p2', mac: '02:00:00:00:00:01', deviceOwner: '' },
    ];
    const plan = planReconcile(
      ports,
      [alloc('p2', '02:00:00:00:00:01', 'allocated', 1)],
      [
        { mac: '02:00:00:00:00:09', state: 'free', portId: null },
        { mac: '02:00:00:00:00:01', state: 'allocated', portId: 'p2' },
      ],
      now,
      300,
    );
    expect(plan.unallocatedPoolMacs).toEqual([{ portId: 'p1', mac: '02:00:00:00:00:09', poolState: 'free', allocatedTo: null }]);
  });
});
