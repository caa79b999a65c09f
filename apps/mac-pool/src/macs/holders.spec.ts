import { HistoryEvent, holderAt, holdingsOf } from './holders';

const ev = (at: string, action: HistoryEvent['action'], portId: string | null = null): HistoryEvent => ({
  at: new Date(at),
  mac: '02:00:00:00:00:01',
  pool: 'p',
  action,
  portId,
  deviceId: portId ? `vm-${portId}` : null,
  deviceOwner: null,
  projectId: null,
  networkId: null,
  actor: 'hook',
});

describe('holdings from history', () => {
  const events = [
    ev('2026-01-01T10:00:00Z', 'reserved', 'p1'),
    ev('2026-01-01T10:00:01Z', 'committed', 'p1'),
    ev('2026-01-02T10:00:00Z', 'released', 'p1'),
    ev('2026-01-03T10:00:00Z', 'quarantine_ended'),
    ev('2026-01-04T10:00:00Z', 'reserved', 'p2'),
    ev('2026-01-04T10:05:00Z', 'expired', 'p2'),
    ev('2026-01-05T10:00:00Z', 'reserved', 'p3'),
  ];
  const holdings = holdingsOf(events);

  it('folds events into spans per port', () => {
    expect(holdings.map((h) => [h.portId, h.from.toISOString(), h.until?.toISOString() ?? null])).toEqual([
      ['p1', '2026-01-01T10:00:00.000Z', '2026-01-02T10:00:00.000Z'],
      ['p2', '2026-01-04T10:00:00.000Z', '2026-01-04T10:05:00.000Z'],
      ['p3', '2026-01-05T10:00:00.000Z', null],
    ]);
  });

  it('answers who held the MAC at a time (half-open spans)', () => {
    expect(holderAt(holdings, new Date('2026-01-01T12:00:00Z'))?.deviceId).toBe('vm-p1');
    expect(holderAt(holdings, new Date('2026-01-02T10:00:00Z'))).toBeNull();
    expect(holderAt(holdings, new Date('2026-01-03T00:00:00Z'))).toBeNull();
    expect(holderAt(holdings, new Date('2030-01-01T00:00:00Z'))?.portId).toBe('p3');
    expect(holderAt(holdings, new Date('2025-01-01T00:00:00Z'))).toBeNull();
  });

  it('closes a span whose release was lost when a new port takes the MAC', () => {
    const h = holdingsOf([ev('2026-01-01T00:00:00Z', 'reserved', 'a'), ev('2026-01-02T00:00:00Z', 'reserved', 'b')]);
    expect(h[0].until?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });
});
