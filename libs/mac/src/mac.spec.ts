import { MacFormatError, formatMac, normaliseMac, parseMac, readMac } from './mac';

describe('MAC spellings', () => {
  it.each([
    ['aa:bb:cc:dd:ee:fe', 'aa:bb:cc:dd:ee:fe'],
    ['AA-BB-CC-DD-EE-FE', 'aa:bb:cc:dd:ee:fe'],
    ['aabb.ccdd.eefe', 'aa:bb:cc:dd:ee:fe'],
    ['AABBCCDDEEFE', 'aa:bb:cc:dd:ee:fe'],
    ['  02:00:0a:0B:0c:0D \t', '02:00:0a:0b:0c:0d'],
  ])('%j reads as %s', (input, canonical) => {
    expect(normaliseMac(input)).toBe(canonical);
  });

  it.each([
    'aa:bb:cc:dd:ee',
    'aa:bb:cc:dd:ee:ff:00',
    'aa:bb-cc:dd:ee:ff',
    'gg:bb:cc:dd:ee:ff',
    'aabb.ccdd.ee',
    '',
    'aa bb cc dd ee ff',
    'aabbccddeef',
  ])('%j is not a MAC', (input) => {
    expect(readMac(input)).toBeNull();
    expect(() => parseMac(input)).toThrow(expect.objectContaining({ reason: 'invalid_format' }));
  });

  it('formats with leading zeros', () => {
    expect(formatMac(1)).toBe('00:00:00:00:00:01');
    expect(formatMac(2 ** 48 - 1)).toBe('ff:ff:ff:ff:ff:ff');
  });
});

describe('MAC validity for ports', () => {
  const rejected = (input: string, allowUniversal = false) => {
    try {
      parseMac(input, { allowUniversal });
      return null;
    } catch (err) {
      return (err as MacFormatError).reason;
    }
  };

  it('refuses multicast (I/G bit), broadcast and all-zero with a named reason', () => {
    expect(rejected('01:00:5e:00:00:01', true)).toBe('multicast');
    expect(rejected('03:00:00:00:00:01')).toBe('multicast');
    expect(rejected('ff:ff:ff:ff:ff:ff', true)).toBe('broadcast');
    expect(rejected('00:00:00:00:00:00', true)).toBe('all_zero');
  });

  it('refuses universally administered MACs unless the pool allows them', () => {
    expect(rejected('00:16:3e:00:00:01')).toBe('universal_not_allowed');
    expect(rejected('00:16:3e:00:00:01', true)).toBeNull();
    expect(rejected('02:16:3e:00:00:01')).toBeNull();
    expect(rejected('fa:16:3e:00:00:01')).toBeNull();
  });

  it('names the input and the reason in the error message', () => {
    expect(() => parseMac('01:00:5e:00:00:01')).toThrow(/"01:00:5e:00:00:01": multicast/);
  });
});
