import { formatMac } from './mac';
import { RangePolicy, parseMacOrRange, rangeSize } from './range';

const policy: RangePolicy = { allowUniversal: false, maxRangeSize: 2 ** 24 };
const reasonOf = (text: string, p: RangePolicy = policy) => {
  try {
    parseMacOrRange(text, p);
    return null;
  } catch (err) {
    return (err as { reason: string }).reason;
  }
};

describe('ranges', () => {
  it('reads inclusive first-last ranges in every spelling, also dashed MACs', () => {
    for (const text of [
      '02:00:00:00:00:01-02:00:00:00:00:0a',
      '02-00-00-00-00-01-02-00-00-00-00-0A',
      '0200.0000.0001 - 0200.0000.000a',
      '020000000001-020000000010',
    ]) {
      const r = parseMacOrRange(text, policy);
      expect(formatMac(r.first)).toBe('02:00:00:00:00:01');
      expect(r.last).toBeGreaterThan(r.first);
    }
    expect(rangeSize(parseMacOrRange('02:00:00:00:00:01-02:00:00:00:00:0a', policy))).toBe(10);
  });

  it('treats a single MAC as a range of one', () => {
    const r = parseMacOrRange('02-00-00-00-00-07', policy);
    expect(r.first).toBe(r.last);
  });

  it('counts both ends, across an octet boundary', () => {
    const r = parseMacOrRange('02:00:00:00:00:fe-02:00:00:00:01:01', policy);
    expect([formatMac(r.first), formatMac(r.last), rangeSize(r)]).toEqual(['02:00:00:00:00:fe', '02:00:00:00:01:01', 4]);
  });

  it('refuses reversed, oversized and octet-crossing ranges, and bad ends', () => {
    expect(reasonOf('02:00:00:00:00:0a-02:00:00:00:00:01')).toBe('range_reversed');
    expect(reasonOf('02:00:00:00:00:00-02:00:00:00:00:ff', { ...policy, maxRangeSize: 100 })).toBe('range_too_large');
    expect(reasonOf('02:00:00:00:00:00-02:00:00:00:00:63', { ...policy, maxRangeSize: 100 })).toBeNull();
    expect(reasonOf('02:ff:ff:ff:ff:ff-06:00:00:00:00:01')).toBe('range_crosses_oui_octet');
    expect(reasonOf('01:00:00:00:00:00-01:00:00:00:00:05')).toBe('multicast');
    expect(reasonOf('02:00:00:00:00:01-zz')).toBe('invalid_format');
    expect(reasonOf('00:16:3e:00:00:01-00:16:3e:00:00:09')).toBe('universal_not_allowed');
  });

  it('defaults the cap to one OUI (2^24)', () => {
    expect(reasonOf('02:00:00:00:00:00-02:00:00:ff:ff:ff')).toBeNull();
    expect(reasonOf('02:00:00:00:00:00-02:00:01:00:00:00')).toBe('range_too_large');
  });
});
