import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  it('round-trips, uses a fresh IV each time, and refuses tampering or another key', () => {
    const box = new SecretBox('k'.repeat(32));
    const a = box.seal('JBSWY3DPEHPK3PXP');
    expect(box.open(a)).toBe('JBSWY3DPEHPK3PXP');
    expect(box.seal('JBSWY3DPEHPK3PXP')).not.toBe(a);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    const [iv, tag, data] = a.split('.');
    const flipped = `${iv}.${tag}.${data.slice(0, -2)}${data.endsWith('A') ? 'B' : 'A'}${data.slice(-1)}`;
    expect(() => box.open(flipped)).toThrow();
    expect(() => new SecretBox('x'.repeat(32)).open(a)).toThrow();
  });
});
