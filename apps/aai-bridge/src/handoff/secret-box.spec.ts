import { CryptoRepository } from '@app/platform';
import { SecretBox } from './secret-box';

const boxWith = (key: string) => new SecretBox({ AAI_SECRET_KEY: key }, new CryptoRepository());

describe('SecretBox', () => {
  it('round-trips, uses a fresh IV each time, and refuses tampering or another key', () => {
    const box = boxWith('k'.repeat(32));
    const a = box.seal('JBSWY3DPEHPK3PXP');
    expect(box.open(a)).toBe('JBSWY3DPEHPK3PXP');
    expect(box.seal('JBSWY3DPEHPK3PXP')).not.toBe(a);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    const [iv, tag, data] = a.split('.');
    // One bit of the ciphertext flipped (decoded, so the change cannot fall in base64's spare bits).
    const bytes = Buffer.from(data, 'base64url');
    bytes[bytes.length - 1] ^= 0x01;
    const flipped = `${iv}.${tag}.${bytes.toString('base64url')}`;
    expect(() => box.open(flipped)).toThrow();
    expect(() => boxWith('x'.repeat(32)).open(a)).toThrow();
  });
});
