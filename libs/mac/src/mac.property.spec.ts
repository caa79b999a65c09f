import fc from 'fast-check';
import { MacFormatError, REJECTION_TEXT, formatMac, normaliseMac, parseMac, readMac } from './mac';

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
