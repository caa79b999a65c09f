import { bucketIndex, usageSeries } from './usage';

describe('usageSeries', () => {
  const now = new Date('2026-11-30T10:30:00Z');
  const day = (iso: string) => bucketIndex(new Date(iso), 'day');

  it('gives the last N buckets oldest first, UTC-aligned, the last one holding now', () => {
    const points = usageSeries(now, 'day', 3, [], 0);
    expect(points.map((p) => p.start.toISOString())).toEqual([
      '2026-11-28T00:00:00.000Z',
      '2026-11-29T00:00:00.000Z',
      '2026-11-30T00:00:00.000Z',
    ]);
    expect(usageSeries(now, 'hour', 2, [], 0).map((p) => p.start.toISOString())).toEqual([
      '2026-11-30T09:00:00.000Z',
      '2026-11-30T10:00:00.000Z',
    ]);
  });

  it('works back from what ports hold now: each earlier end undoes the later allocations and releases', () => {
    const events = [
      { index: day('2026-11-28T12:00:00Z'), allocations: 5, releases: 0 },
      { index: day('2026-11-29T12:00:00Z'), allocations: 2, releases: 4 },
      { index: day('2026-11-30T01:00:00Z'), allocations: 1, releases: 0 },
    ];
    const points = usageSeries(now, 'day', 4, events, 4);
    expect(points.map((p) => [p.allocations, p.releases, p.held])).toEqual([
      [0, 0, 0],
      [5, 0, 5],
      [2, 4, 3],
      [1, 0, 4],
    ]);
  });

  it('ignores events outside the window', () => {
    const points = usageSeries(now, 'day', 1, [{ index: day('2026-11-01T00:00:00Z'), allocations: 9, releases: 9 }], 2);
    expect(points).toEqual([{ start: new Date('2026-11-30T00:00:00Z'), allocations: 0, releases: 0, held: 2 }]);
  });
});
