import { base32, totp } from './totp';

describe('TOTP (RFC 6238 test vectors, SHA-1)', () => {
  const secret = base32(Buffer.from('12345678901234567890'));
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
  ])('at %i s gives %s', (t, code) => {
    expect(totp(secret, t * 1000, 30, 8)).toBe(code);
  });
});
