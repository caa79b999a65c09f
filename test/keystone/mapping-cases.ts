/**
 * Rules and assertions run through both engines (ours and `keystone-manage mapping_engine`).
 * Each exercises one part of Keystone's semantics; INFN AAI-shaped attribute names where it helps.
 */
export interface MappingCase {
  name: string;
  rules: unknown;
  input: string;
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
];
