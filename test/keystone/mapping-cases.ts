/**
 * Rules and assertions run through both engines (ours and `keystone-manage mapping_engine`).
 * Each exercises one part of Keystone's semantics; INFN AAI-shaped attribute names where it helps.
 */
export interface MappingCase {
  name: string;
  rules: unknown;
  input: string;
  /**
   * Dotted paths (`user.name`) of strings holding a list Keystone builds from a set (a plain
   * whitelist or a blacklist rendered with `{n}`): its order is Python's hash order, so these
   * compare as sorted lists.
   */
  setOrdered?: string[];
}

const D = { name: 'Default' };

export const MAPPING_CASES: MappingCase[] = [
  {
    name: 'direct map of the user name',
    rules: [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'eduPersonPrincipalName' }] }],
    input: 'eduPersonPrincipalName: alice@infn.it',
  },
  {
    name: 'name, email and id from three attributes, with text around',
    rules: [
      {
        local: [{ user: { name: '{0} ({1})', email: '{1}', id: 'aai-{2}' } }],
        remote: [{ type: 'displayName' }, { type: 'mail' }, { type: 'eduPersonUniqueId' }],
      },
    ],
    input: 'displayName: Alice Rossi\nmail: alice@cnaf.infn.it\neduPersonUniqueId: 12345@infn.it',
  },
  {
    name: 'any_one_of gates a group by id; the user comes from another rule',
    rules: [
      { local: [{ user: { name: '{0}' } }], remote: [{ type: 'eppn' }] },
      { local: [{ group: { id: 'g-physics' } }], remote: [{ type: 'isMemberOf', any_one_of: ['infn:physics', 'infn:cms'] }] },
      { local: [{ group: { id: 'g-never' } }], remote: [{ type: 'isMemberOf', any_one_of: ['infn:atlas'] }] },
    ],
    input: 'eppn: bob@infn.it\nisMemberOf: infn:cms;infn:lhcb',
  },
  {
    name: 'not_any_of excludes, regex any_one_of matches',
    rules: [
      { local: [{ user: { name: '{0}' } }], remote: [{ type: 'eppn' }, { type: 'affiliation', not_any_of: ['affiliate'] }] },
      { local: [{ group: { id: 'staff' } }], remote: [{ type: 'affiliation', any_one_of: ['^sta.*$'], regex: true }] },
    ],
    input: 'eppn: carol@infn.it\naffiliation: staff;member',
  },
  {
    name: 'not_any_of refusing gives no mapping (Keystone errors)',
    rules: [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'eppn' }, { type: 'affiliation', not_any_of: ['affiliate'] }] }],
    input: 'eppn: dave@infn.it\naffiliation: affiliate',
  },
  {
    name: 'whitelisted entitlements become groups in a domain',
    rules: [
      {
        local: [{ user: { name: '{0}' } }, { groups: '{1}', domain: D }],
        remote: [{ type: 'eppn' }, { type: 'eduPersonEntitlement', whitelist: ['cloud-users', 'cloud-admins', 'gpu'] }],
      },
    ],
    input: 'eppn: erin@infn.it\neduPersonEntitlement: cloud-users;gpu;printing',
  },
  {
    name: 'a single whitelisted value maps as a plain string',
    rules: [
      {
        local: [{ user: { name: '{0}' } }, { groups: '{1}', domain: D }],
        remote: [{ type: 'eppn' }, { type: 'ent', whitelist: ['only'] }],
      },
    ],
    input: 'eppn: frank@infn.it\nent: only;other',
  },
  {
    name: 'blacklist removes values, the rest become groups',
    rules: [
      {
        local: [{ user: { name: '{0}' } }, { groups: '{1}', domain: { id: 'dom-1' } }],
        remote: [{ type: 'eppn' }, { type: 'isMemberOf', blacklist: ['banned'] }],
      },
    ],
    input: 'eppn: gina@infn.it\nisMemberOf: banned;physics',
  },
  {
    name: 'regex whitelist',
    rules: [
      {
        local: [{ user: { name: '{0}' } }, { groups: '{1}', domain: D }],
        remote: [{ type: 'eppn' }, { type: 'isMemberOf', whitelist: ['^infn:.*'], regex: true }],
      },
    ],
    input: 'eppn: hank@infn.it\nisMemberOf: infn:cms;cern:atlas',
  },
  {
    name: 'projects with roles, the project name from an attribute',
    rules: [
      {
        local: [
          { user: { name: '{0}', type: 'local', domain: { name: 'federated' } } },
          {
            projects: [
              { name: 'exp-{1}', roles: [{ name: 'member' }] },
              { name: 'shared', roles: [{ name: 'reader' }] },
            ],
          },
        ],
        remote: [{ type: 'eppn' }, { type: 'experiment' }],
      },
    ],
    input: 'eppn: ivan@infn.it\nexperiment: cms',
  },
  {
    name: 'the last matching projects win; the first user wins',
    rules: [
      { local: [{ user: { name: 'first-{0}' } }, { projects: [{ name: 'p1', roles: [{ name: 'member' }] }] }], remote: [{ type: 'eppn' }] },
      { local: [{ user: { name: 'second-{0}' } }, { projects: [{ name: 'p2', roles: [{ name: 'admin' }] }] }], remote: [{ type: 'eppn' }] },
    ],
    input: 'eppn: jane@infn.it',
  },
  {
    name: 'group_ids from a multi-valued attribute',
    rules: [{ local: [{ user: { name: '{0}' } }, { group_ids: '{1}' }], remote: [{ type: 'eppn' }, { type: 'gids' }] }],
    input: 'eppn: kim@infn.it\ngids: abc123;def456;abc123',
  },
  {
    name: 'groups by name accumulate across rules (Keystone repeats earlier ones)',
    rules: [
      { local: [{ user: { name: '{0}' } }, { group: { name: 'g1', domain: D } }], remote: [{ type: 'eppn' }] },
      { local: [{ group: { name: 'g2', domain: D } }], remote: [{ type: 'eppn' }] },
      { local: [{ group: { name: 'g3', domain: { id: 'other' } } }], remote: [{ type: 'eppn' }] },
    ],
    input: 'eppn: lea@infn.it',
  },
  {
    name: 'a local referring to a missing remote match is a DirectMappingError',
    rules: [{ local: [{ user: { name: '{0} {1}' } }], remote: [{ type: 'eppn' }] }],
    input: 'eppn: max@infn.it',
  },
  {
    name: 'an absent attribute: nothing maps',
    rules: [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'eppn' }] }],
    input: 'mail: nobody@infn.it',
  },
  {
    name: 'groups without a domain are an invalid rule',
    rules: [{ local: [{ user: { name: '{0}' } }, { groups: '{1}' }], remote: [{ type: 'eppn' }, { type: 'grp' }] }],
    input: 'eppn: ole@infn.it\ngrp: a;b',
  },
  {
    name: 'a rule of an unknown shape is refused by validation',
    rules: [{ local: [{ user: { name: '{0}' }, role: 'admin' }], remote: [{ type: 'eppn' }] }],
    input: 'eppn: pia@infn.it',
  },
  {
    name: 'any_one_of together with whitelist is refused by validation',
    rules: [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'eppn', any_one_of: ['x'], whitelist: ['y'] }] }],
    input: 'eppn: x',
  },
  {
    name: 'literal braces and an empty attribute value',
    rules: [{ local: [{ user: { name: '{{user}}-{0}-{1}' } }], remote: [{ type: 'eppn' }, { type: 'empty' }] }],
    input: 'eppn: quinn@infn.it\nempty:',
  },
  // Python's repr(): a list rendered into a string escapes what Python 3.11 finds non-printable.
  {
    name: 'a rendered list escapes non-printable characters as Python repr does',
    rules: [{ local: [{ user: { name: '{1}' } }], remote: [{ type: 'eppn' }, { type: 'vals' }] }],
    input: [
      'eppn: rita@infn.it',
      // no-break space, control, zero-width space, tag (astral Cf), soft hyphen, DEL, BOM, private
      // use, unassigned, a noncharacter, an emoji Python 3.11's Unicode does not know yet (U+1F6DC),
      // printable non-ASCII, quotes and a backslash.
      "vals: a\u00a0b;c\u0001d;e\u200bf;g\u{e0001}h;soft\u00adhy;del\u007f;\ufeffbom;pu\ue000;un\u0378;nc\u{10ffff};new\u{1f6dc};é😀ǅ;it's;both ' and \";back\\slash",
    ].join('\n'),
  },
  {
    name: 'assertion lines split and stripped as Python does (\\x1c breaks a line, \\x1f is space, BOM is not)',
    rules: [{ local: [{ user: { name: '{0}', email: '{1}', id: '{2}' } }], remote: [{ type: 'eppn' }, { type: 'mail' }, { type: 'uid' }] }],
    input: 'eppn: \u001fsam@infn.it\u001f\u001cmail: sam@cnaf.infn.it\u001duid:\ufeff42',
  },
  // Python regular expressions (Keystone's re.search), where JavaScript reads them differently or not at all.
  {
    name: 'regex: (?i) at the start',
    rules: [
      { local: [{ user: { name: '{0}' } }], remote: [{ type: 'eppn' }] },
      { local: [{ group: { id: 'staff' } }], remote: [{ type: 'affiliation', any_one_of: ['(?i)^staff$'], regex: true }] },
    ],
    input: 'eppn: tom@infn.it\naffiliation: member;STAFF',
  },
  {
    name: 'regex: (?P<name>...) and (?P=name) in a whitelist',
    rules: [
      {
        local: [{ user: { name: '{0}' } }, { groups: '{1}', domain: D }],
        remote: [{ type: 'eppn' }, { type: 'isMemberOf', whitelist: ['^(?P<exp>[a-z]+):(?P=exp)-'], regex: true }],
      },
    ],
    input: 'eppn: uma@infn.it\nisMemberOf: cms:cms-admins;cms:atlas-users;lhcb:lhcb-readers',
  },
  {
    name: 'regex: \\A, \\Z, combined flags (?ix) with a comment, (?s) and (?m); re.search finds inside',
    rules: [
      {
        local: [{ user: { name: '{0}', email: '{1}' } }],
        remote: [
          { type: 'eppn' },
          { type: 'ent', whitelist: ['\\Ainfn:\\w+\\Z', '(?ix) ^ CERN : [a-z]+ $  # experiments', '(?sm)^x.y$', 'gpu'], regex: true },
        ],
      },
    ],
    input: 'eppn: vic@infn.it\nent: infn:cms;infn:cms x;CERN:atlas;xzy;has-gpu-access;cern',
  },
  {
    name: 'regex: \\w and \\d are Unicode in Python, ASCII in JavaScript',
    rules: [
      {
        local: [{ user: { name: '{1}', email: '{2}' } }],
        remote: [
          { type: 'eppn' },
          { type: 'names', whitelist: ['^\\w+$'], regex: true },
          { type: 'codes', whitelist: ['^\\d+$'], regex: true },
        ],
      },
    ],
    input: 'eppn: walt@infn.it\nnames: josé;ümit;a-b;ǅx;plain\ncodes: 123;١٢٣;²;12a',
  },
  {
    name: 'regex: ignore-case as Python folds (Kelvin sign, long s)',
    rules: [
      { local: [{ user: { name: '{1}' } }], remote: [{ type: 'eppn' }, { type: 'v', whitelist: ['(?i)^k$', '(?i)^s$'], regex: true }] },
    ],
    input: 'eppn: xena@infn.it\nv: K;\u212a;k;x;ſ;S',
  },
  {
    name: 'regex: not_any_of searches anywhere in the value',
    rules: [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'eppn' }, { type: 'groups', not_any_of: ['admin'], regex: true }] }],
    input: 'eppn: yuri@infn.it\ngroups: users;infn:admins',
  },
  {
    name: 'regex: global flags not at the start are a Python re.error',
    rules: [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'eppn', any_one_of: ['a(?i)b'], regex: true }] }],
    input: 'eppn: zoe@infn.it',
  },
  {
    name: 'regex: an unknown group name is a Python re.error',
    rules: [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'eppn', any_one_of: ['x', '(?P<a>z)(?P=b)'], regex: true }] }],
    input: 'eppn: zoe@infn.it',
  },
  {
    name: 'regex: a variable-width look-behind is a Python re.error',
    rules: [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'eppn', whitelist: ['(?<=@\\w+)it'], regex: true }] }],
    input: 'eppn: zoe@infn.it',
  },
  {
    name: 'regex: a bad pattern on an absent attribute is never compiled',
    rules: [
      { local: [{ user: { name: '{0}' } }], remote: [{ type: 'eppn' }] },
      { local: [{ group: { id: 'never' } }], remote: [{ type: 'absent', any_one_of: ['('], regex: true }] },
    ],
    input: 'eppn: zoe@infn.it',
  },
  // Whitelist and blacklist results rendered into a string: Python's list repr, Python's order and duplicates.
  {
    name: 'a regex whitelist keeps the assertion order and its duplicates',
    rules: [{ local: [{ user: { name: '{1}' } }], remote: [{ type: 'eppn' }, { type: 'v', whitelist: ['-x$'], regex: true }] }],
    input: 'eppn: abe@infn.it\nv: b-x;a-x;b-x;c',
  },
  {
    name: 'a regex whitelist with duplicates gives duplicate groups',
    rules: [
      {
        local: [{ user: { name: '{0}' } }, { groups: '{1}', domain: D }],
        remote: [{ type: 'eppn' }, { type: 'v', whitelist: ['^g'], regex: true }],
      },
    ],
    input: 'eppn: bea@infn.it\nv: g1;x;g1;g2',
  },
  {
    name: 'a plain whitelist holds each value once (a Python set)',
    rules: [{ local: [{ user: { name: '{1}' } }], remote: [{ type: 'eppn' }, { type: 'v', whitelist: ['g1', 'g2', 'g3'] }] }],
    input: 'eppn: cal@infn.it\nv: g2;g1;g2;g3;g4',
    setOrdered: ['user.name'],
  },
  {
    name: 'a blacklist holds each remaining value once',
    rules: [{ local: [{ user: { name: '{1}' } }], remote: [{ type: 'eppn' }, { type: 'v', blacklist: ['c'] }] }],
    input: 'eppn: dan@infn.it\nv: a;b;a;c;d',
    setOrdered: ['user.name'],
  },
  {
    name: 'a regex blacklist holds each remaining value once',
    rules: [{ local: [{ user: { name: '{1}' } }], remote: [{ type: 'eppn' }, { type: 'v', blacklist: ['^x'], regex: true }] }],
    input: 'eppn: eve@infn.it\nv: x1;y;x1;z;y',
    setOrdered: ['user.name'],
  },
  {
    name: 'an empty whitelist result still matches and renders as []',
    rules: [{ local: [{ user: { name: 'u-{1}' } }], remote: [{ type: 'eppn' }, { type: 'v', whitelist: ['nope'] }] }],
    input: 'eppn: fay@infn.it\nv: a;b',
  },
];
