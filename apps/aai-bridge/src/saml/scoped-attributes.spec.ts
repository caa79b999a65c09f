import { checkScopes } from './scoped-attributes';

describe('scoped attributes', () => {
  const infn = [
    { value: 'infn.it', regexp: false },
    { value: '.+\\.infn\\.it', regexp: true },
  ];

  it('keeps values in a declared scope, literal or regexp, and unscoped attributes', () => {
    const { attributes, refused } = checkScopes(
      { eduPersonPrincipalName: ['alice@INFN.it'], eduPersonScopedAffiliation: ['member@cnaf.infn.it'], mail: ['alice@unimi.it'] },
      infn,
    );
    expect([attributes, refused]).toEqual([
      { eduPersonPrincipalName: ['alice@INFN.it'], eduPersonScopedAffiliation: ['member@cnaf.infn.it'], mail: ['alice@unimi.it'] },
      [],
    ]);
  });

  it('drops values in another scope, or without one, and names them', () => {
    const { attributes, refused } = checkScopes(
      {
        eduPersonPrincipalName: ['bob@infn.it'],
        eduPersonScopedAffiliation: ['member@unimi.it', 'staff@infn.it'],
        'subject-id': ['nobody'],
      },
      [{ value: 'unimi.it', regexp: false }],
    );
    expect(attributes).toEqual({ eduPersonScopedAffiliation: ['member@unimi.it'] });
    expect(refused).toEqual([
      { name: 'eduPersonPrincipalName', value: 'bob@infn.it' },
      { name: 'eduPersonScopedAffiliation', value: 'staff@infn.it' },
      { name: 'subject-id', value: 'nobody' },
    ]);
  });

  it('anchors regexp scopes: a suffix of an allowed scope is not enough', () => {
    expect(checkScopes({ eduPersonPrincipalName: ['eve@infn.it.evil.test'] }, infn).refused).toHaveLength(1);
    expect(checkScopes({ eduPersonPrincipalName: ['eve@evilinfn.it'] }, infn).refused).toHaveLength(1);
  });

  it('keeps no scoped value of an IdP that declares no scope', () => {
    expect(checkScopes({ eduPersonPrincipalName: ['alice@infn.it'] }, []).attributes).toEqual({});
  });
});
