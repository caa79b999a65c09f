import { mergeMatches } from './mac-search';
import type { MacMatch } from './mac-search.repository';

const match = (mac: string, at: string, current: boolean): MacMatch => ({
  mac,
  pool: 'p',
  current,
  hostname: null,
  portId: null,
  deviceId: 'vm',
  projectId: null,
  at: new Date(at),
});

describe('mergeMatches', () => {
  it('keeps one match per MAC, the current one over a past holder, most recent first', () => {
    const out = mergeMatches(
      [match('02:00:00:00:00:01', '2026-01-01T00:00:00Z', true)],
      [match('02:00:00:00:00:01', '2026-02-01T00:00:00Z', false), match('02:00:00:00:00:02', '2026-03-01T00:00:00Z', false)],
      10,
    );
    expect(out.matches.map((m) => [m.mac, m.current])).toEqual([
      ['02:00:00:00:00:02', false],
      ['02:00:00:00:00:01', true],
    ]);
    expect(out.truncated).toBe(false);
  });

  it('says when it listed fewer than matched', () => {
    const out = mergeMatches(
      [match('02:00:00:00:00:01', '2026-01-01T00:00:00Z', true)],
      [match('02:00:00:00:00:02', '2026-01-02T00:00:00Z', false)],
      1,
    );
    expect(out.matches).toHaveLength(1);
    expect(out.truncated).toBe(true);
  });
});
