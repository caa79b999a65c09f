import { buildEntry } from './entry';

describe('entries', () => {
  const policy = { allowUniversal: false, maxRangeSize: 10 };

  it('keeps metadata of a single MAC', () => {
    const r = buildEntry(
      { mac: '02:00:00:00:00:01', hostname: 'vm1', ipv4: '10.0.0.1', ipv6: '2001:DB8::1', description: 'x' },
      7,
      'raw',
      policy,
    );
    expect(r).toEqual({
      ok: true,
      entry: {
        line: 7,
        first: 2 * 2 ** 40 + 1,
        last: 2 * 2 ** 40 + 1,
        hostname: 'vm1',
        ipv4: '10.0.0.1',
        ipv6: '2001:db8::1',
        description: 'x',
      },
    });
  });

  it('names the field at fault', () => {
    const bad = buildEntry({ mac: '02:00:00:00:00:01', ipv6: '10.0.0.1' }, 3, 'raw', policy);
    expect(bad).toEqual({
      ok: false,
      error: { line: 3, input: 'raw', code: 'invalid_ipv6', reason: 'ipv6: "10.0.0.1" is not an IPv6 address' },
    });
    const long = buildEntry({ mac: '02:00:00:00:00:01', description: 'd'.repeat(256) }, 4, 'raw', policy);
    expect(long.ok ? null : long.error.code).toBe('description_too_long');
    const big = buildEntry({ mac: '02:00:00:00:00:00-02:00:00:00:00:0a' }, 5, 'raw', policy);
    expect(big.ok ? null : big.error.reason).toBe('mac: range holds more MACs than the configured cap (10)');
  });

  it('refuses a description PostgreSQL cannot store as given: NUL, a lone surrogate; keeps a surrogate pair', () => {
    for (const description of ['a\u0000b', 'x\ud800', '\udc00y']) {
      const r = buildEntry({ mac: '02:00:00:00:00:01', description }, 3, 'raw', policy);
      expect(r).toMatchObject({ ok: false, error: { line: 3, code: 'invalid_text' } });
    }
    expect(buildEntry({ mac: '02:00:00:00:00:01', description: 'rack \u{1F5A5}' }, 3, 'raw', policy)).toMatchObject({ ok: true });
  });
});
