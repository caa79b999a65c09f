import { normaliseAttributes, toKeystoneAssertion } from './attributes';

describe('attribute normalisation', () => {
  it('maps urn:oid names to friendly ones and makes every value a list', () => {
    const attrs = normaliseAttributes({
      'urn:oid:1.3.6.1.4.1.5923.1.1.1.6': 'alice@infn.it',
      'urn:oid:1.3.6.1.4.1.5923.1.5.1.1': ['infn:cms', 'infn:lhcb'],
      'urn:oid:2.16.840.1.113730.3.1.241': { _: 'Alice Rossi' },
      'urn:example:custom': ['x'],
    });
    expect(attrs).toEqual({
      eduPersonPrincipalName: ['alice@infn.it'],
      isMemberOf: ['infn:cms', 'infn:lhcb'],
      displayName: ['Alice Rossi'],
      'urn:example:custom': ['x'],
    });
    expect(toKeystoneAssertion(attrs).isMemberOf).toBe('infn:cms;infn:lhcb');
  });
});
