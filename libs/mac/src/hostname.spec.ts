import { hostnameKey, normaliseHostname } from './hostname';

describe('hostnames', () => {
  it('normalises case and a trailing dot', () => {
    expect(normaliseHostname(' WN-001.Cnaf.INFN.it. ')).toBe('wn-001.cnaf.infn.it');
  });

  it.each(['-bad', 'bad-', 'a..b', 'under_score', 'sp ace', '', `${'a'.repeat(64)}.it`, `${'a.'.repeat(127)}ab`])('refuses %j', (name) => {
    expect(normaliseHostname(name)).toBeNull();
  });

  it('accepts 63-character labels and single letters', () => {
    expect(normaliseHostname(`${'a'.repeat(63)}.b`)).toBe(`${'a'.repeat(63)}.b`);
    expect(normaliseHostname('x')).toBe('x');
  });
});

describe('hostname keys', () => {
  it('lower-cases, drops a trailing dot, and splits the short name', () => {
    expect(hostnameKey('VM1.Cnaf.Infn.It.')).toEqual({ full: 'vm1.cnaf.infn.it', short: 'vm1', qualified: true });
    expect(hostnameKey('vm1')).toEqual({ full: 'vm1', short: 'vm1', qualified: false });
    expect(hostnameKey('  ')).toBeNull();
    expect(hostnameKey(undefined)).toBeNull();
  });

  it('keys a name the way an upload stores it, so the two compare equal', () => {
    expect(hostnameKey(' WN-001.Cnaf.INFN.it. ')?.full).toBe(normaliseHostname('wn-001.cnaf.infn.it'));
  });
});
