import fc from 'fast-check';
import { MacFormatError, REJECTION_TEXT, formatMac } from './mac';
import { RangePolicy, parseMacOrRange, rangeSize } from './range';

const policy = (maxRangeSize: number): RangePolicy => ({ allowUniversal: true, maxRangeSize });

/** A usable first octet: unicast (even), locally administered or not. */
const unicastOctet = fc.integer({ min: 0, max: 127 }).map((n) => n * 2);

/** Both ends inside one first octet, never all-zero or broadcast. */
const rangeInOctet = fc
  .tuple(unicastOctet, fc.integer({ min: 1, max: 2 ** 40 - 2 }), fc.integer({ min: 0, max: 5000 }))
  .map(([octet, low, extra]) => {
    const first = octet * 2 ** 40 + low;
    const last = Math.min(first + extra, octet * 2 ** 40 + 2 ** 40 - 1);
    return { first, last };
  });

const spell = (mac: number, style: number) => {
  const canonical = formatMac(mac);
  if (style === 0) return canonical;
  if (style === 1) return canonical.replace(/:/g, '-').toUpperCase();
  const hex = canonical.replace(/:/g, '');
  return style === 2 ? hex : `${hex.slice(0, 4)}.${hex.slice(4, 8)}.${hex.slice(8)}`;
};
const style = fc.integer({ min: 0, max: 3 });

const reasonOf = (run: () => unknown): string | null => {
  try {
    run();
    return null;
  } catch (err) {
    if (err instanceof MacFormatError) return err.reason;
    throw err;
  }
};

describe('MAC ranges (properties)', () => {
  it('a range in any spelling (dashes too) expands to exactly last - first + 1 MACs', () => {
    fc.assert(
      fc.property(rangeInOctet, style, style, ({ first, last }, a, b) => {
        const range = parseMacOrRange(`${spell(first, a)}-${spell(last, b)}`, policy(2 ** 24));
        expect(range).toEqual({ first, last });
        expect(rangeSize(range)).toBe(last - first + 1);
      }),
    );
  });

  it('the cap, a reversed range and a range across first octets are refused as documented', () => {
    fc.assert(
      fc.property(rangeInOctet, fc.integer({ min: 1, max: 6000 }), style, ({ first, last }, cap, s) => {
        const text = `${spell(first, s)}-${spell(last, s)}`;
        expect(reasonOf(() => parseMacOrRange(text, policy(cap)))).toBe(last - first + 1 > cap ? 'range_too_large' : null);
        if (last > first)
          expect(reasonOf(() => parseMacOrRange(`${spell(last, s)}-${spell(first, s)}`, policy(cap)))).toBe('range_reversed');
      }),
    );
    fc.assert(
      fc.property(unicastOctet, unicastOctet, fc.integer({ min: 1, max: 1000 }), (o1, o2, low) => {
        fc.pre(o1 < o2);
        const text = `${formatMac(o1 * 2 ** 40 + low)}-${formatMac(o2 * 2 ** 40 + low)}`;
        expect(reasonOf(() => parseMacOrRange(text, policy(2 ** 48)))).toBe('range_crosses_oui_octet');
      }),
    );
  });

  it('random text never throws anything but MacFormatError, with a documented reason', () => {
    const junk = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.stringMatching(/^[0-9a-fA-F:.\- ]{0,40}$/),
      fc.tuple(rangeInOctet, fc.string({ maxLength: 3 })).map(([r, noise]) => `${formatMac(r.first)}${noise}-${formatMac(r.last)}`),
    );
    fc.assert(
      fc.property(junk, fc.integer({ min: 1, max: 2 ** 24 }), (text, cap) => {
        const reason = reasonOf(() => parseMacOrRange(text, policy(cap)));
        if (reason !== null) expect(Object.keys(REJECTION_TEXT)).toContain(reason);
      }),
    );
  });
});
