import { attributesRead, keptAttributes, mapLabels, userChange } from './mapping-preview';

const RULES = {
  rules: [
    { local: [{ user: { name: '{0}' } }], remote: [{ type: 'eduPersonPrincipalName' }] },
    {
      local: [{ projects: [{ name: 'cms', roles: [{ name: 'member' }] }] }, { group: { name: 'cms-users', domain: { name: 'Default' } } }],
      remote: [{ type: 'isMemberOf', any_one_of: ['infn:cms'] }],
    },
    { local: [{ projects: [{ name: 'lhcb', roles: [{ name: 'reader' }] }] }], remote: [{ type: 'isMemberOf', any_one_of: ['infn:lhcb'] }] },
  ],
};

describe('mapping preview', () => {
  it('labels grants as a login reports them, every matching rule bringing its project', () => {
    expect(mapLabels(RULES, { eduPersonPrincipalName: ['alice'], isMemberOf: ['infn:cms', 'infn:lhcb'] })).toEqual({
      labels: ['group cms-users', 'project cms: role member', 'project lhcb: role reader'],
    });
  });

  it('says why the rules refuse a user', () => {
    expect(mapLabels(RULES, { mail: ['alice@infn.it'] })).toEqual({ refused: expect.stringMatching(/^no_mapping: /) });
    expect(mapLabels(RULES, { isMemberOf: ['infn:cms'] })).toEqual({ refused: expect.stringMatching(/^no_user: /) });
  });

  it('compares with what the bridge granted: gained, lost, and losing all access', () => {
    expect(userChange('alice', { labels: ['project cms: role member'] }, ['project lhcb: role reader'])).toEqual({
      user: 'alice',
      gained: ['project cms: role member'],
      lost: ['project lhcb: role reader'],
      losesAllAccess: false,
    });
    expect(userChange('bob', { labels: [] }, ['group cms-users'])).toMatchObject({ lost: ['group cms-users'], losesAllAccess: true });
    expect(userChange('carol', { refused: 'no_mapping: x' }, ['group g'])).toMatchObject({
      refused: 'no_mapping: x',
      losesAllAccess: true,
    });
    expect(userChange('dave', { labels: [] }, [])).toMatchObject({ losesAllAccess: false });
  });

  it('keeps only the attributes the rules read', () => {
    const read = attributesRead(RULES);
    expect([...read].sort()).toEqual(['eduPersonPrincipalName', 'isMemberOf']);
    expect(keptAttributes({ eduPersonPrincipalName: ['a'], mail: ['a@x'], displayName: ['A'] }, read)).toEqual({
      eduPersonPrincipalName: ['a'],
    });
  });
});
