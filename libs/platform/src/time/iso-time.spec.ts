import { parseIsoTime } from './iso-time';

const valid = (text: string) => parseIsoTime(text).toISOString();
const invalid = (text: unknown) => Number.isNaN(parseIsoTime(text).getTime());

describe('parseIsoTime', () => {
  it('reads dates and zoned date-times as the instant they name', () => {
    expect(valid('2024-02-29')).toBe('2024-02-29T00:00:00.000Z');
    expect(valid('2024-05-01T10:20Z')).toBe('2024-05-01T10:20:00.000Z');
    expect(valid('2024-05-01T10:20:30.123456Z')).toBe('2024-05-01T10:20:30.123Z');
    expect(valid('2024-05-01T10:20:30,5Z')).toBe('2024-05-01T10:20:30.500Z');
    expect(valid('2024-05-01T12:20:30+02:00')).toBe('2024-05-01T10:20:30.000Z');
    expect(valid('2024-05-01T08:20:30-0200')).toBe('2024-05-01T10:20:30.000Z');
    expect(valid('2024-05-01T00:30:00+01')).toBe('2024-04-30T23:30:00.000Z');
    expect(valid('0050-01-01')).toBe('0050-01-01T00:00:00.000Z');
    expect(valid(new Date(1_700_000_000_123).toISOString())).toBe('2023-11-14T22:13:20.123Z');
  });

  it('refuses dates that do not exist', () => {
    for (const text of ['2024-02-30', '2023-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-00'])
      expect(invalid(text)).toBe(true);
    for (const text of [
      '2024-05-01T24:00Z',
      '2024-05-01T23:60Z',
      '2024-05-01T23:59:60Z',
      '2024-05-01T10:00+24:00',
      '2024-05-01T10:00+01:60',
    ])
      expect(invalid(text)).toBe(true);
  });

  it('refuses what new Date() would read anyway', () => {
    for (const text of [
      '-1',
      '0',
      '1700000000',
      'yesterday',
      'May 1 2024',
      '2024-5-1',
      '2024/05/01',
      '',
      ' 2024-05-01',
      '2024-05-01 ',
      '+002024-05-01',
    ])
      expect(invalid(text)).toBe(true);
    expect(Number.isNaN(new Date('2024-02-30').getTime())).toBe(false); // why this parser exists
  });

  it('refuses a time of day without its zone, and anything not a string', () => {
    expect(invalid('2024-05-01T10:20:30')).toBe(true);
    expect(invalid('2024-05-01t10:20z')).toBe(true);
    for (const value of [undefined, null, 1700000000, ['2024-05-01'], {}]) expect(invalid(value)).toBe(true);
  });
});
