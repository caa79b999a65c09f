import fc from 'fast-check';
import { MacFormatError, REJECTION_TEXT, formatMac, normaliseMac, parseMac, readMac } from './mac';
import { RangePolicy, parseMacOrRange, rangeSize } from './range';

/** Any 48-bit value. */
const macValue = fc.integer({ min: 0, max: 2 ** 48 - 1 });

/** Every spelling the parsers accept, in any letter case, with blanks around. */
const spelling = (mac: number) =>
  fc
    .tuple(
      fc.constantFrom('colons', 'dashes', 'dots', 'bare'),
      fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      fc.constantFrom('', ' ', '\t', '  '),
      fc.constantFrom('', ' ', '\t'),
    )
    .map(([style, upper, before, after]) => {
      const hex = [...mac.toString(16).padStart(12, '0')].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
      const pairs = hex.match(/../g)!;
      const quads = hex.match(/..../g)!;
      const text = { colons: pairs.join(':'), dashes: pairs.join('-'), dots: quads.join('.'), bare: hex }[style];
      return `${before}${text}${after}`;
    });

const macAndSpelling = macValue.chain((mac) => spelling(mac).map((text) => ({ mac, text })));

/** What a port MAC must not be, by the definitions (a reference, not the code under test). */
function expectedRejection(mac: number, allowUniversal: boolean): string | null {
  const first = Math.floor(mac / 2 ** 40);
  if (mac === 0) return 'all_zero';
  if (mac === 2 ** 48 - 1) return 'broadcast';
  if (first % 2 === 1) return 'multicast';
  if ((first & 2) === 0 && !allowUniversal) return 'universal_not_allowed';
  return null;
}

const reasonOf = (run: () => unknown): string | null => {
  try {
    run();
    return null;
  } catch (err) {
    if (err instanceof MacFormatError) return err.reason;
    throw err;
  }
};

describe('MAC parsing (properties)', () => {
  it('every accepted spelling reads back to the same value, and canonical form is lower-case with colons', () => {
    fc.assert(
      fc.property(macAndSpelling, ({ mac, text }) => {
        expect(readMac(text)).toBe(mac);
        const canonical = formatMac(mac);
        expect(canonical).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
        expect(readMac(canonical)).toBe(mac);
      }),
    );
  });

  it('normaliseMac gives the canonical form, or refuses exactly what the definitions refuse', () => {
    fc.assert(
      fc.property(macAndSpelling, fc.boolean(), ({ mac, text }, allowUniversal) => {
        const expected = expectedRejection(mac, allowUniversal);
        expect(reasonOf(() => normaliseMac(text, { allowUniversal }))).toBe(expected);
        if (expected === null) expect(normaliseMac(text, { allowUniversal })).toBe(formatMac(mac));
      }),
    );
  });

  it('random text never throws anything but MacFormatError, with a documented reason', () => {
    const junk = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.stringMatching(/^[0-9a-fA-F:.\- ]{0,20}$/),
      macValue.chain(spelling).chain((s) => fc.integer({ min: 0, max: s.length }).map((i) => s.slice(0, i) + s.slice(i + 1))),
    );
    fc.assert(
      fc.property(junk, (text) => {
        const reason = reasonOf(() => parseMac(text));
        if (reason !== null) expect(Object.keys(REJECTION_TEXT)).toContain(reason);
        else expect(readMac(text)).not.toBeNull();
      }),
    );
  });
});

// ---- ranges ----
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
