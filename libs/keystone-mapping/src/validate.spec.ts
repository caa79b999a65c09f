import { validateMapping } from './validate';

describe('mapping validation', () => {
  it('accepts a list of rules or {rules}', () => {
    const rules = [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'eppn' }] }];
    expect(validateMapping(rules).ok).toBe(true);
    expect(validateMapping({ rules }).ok).toBe(true);
  });

  it('points every problem at its rule and field', () => {
    const v = validateMapping({
      rules: [
        { local: [{ user: { name: 1 } }], remote: [] },
        {
          local: [{ group: { name: 'g' } }, { projects: [{ name: 'p' }] }],
          remote: [{ type: 'x', any_one_of: 'a', whitelist: [] }],
          extra: 1,
        },
        { local: [], remote: [{ type: 'y', any_one_of: ['('], regex: true }] },
      ],
    });
    expect(v.ok).toBe(false);
    const problems = v.ok ? [] : v.problems.map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual([
      'rules[0].local[0].user.name: must be a string',
      'rules[0].remote: must hold at least one requirement',
      'rules[1].extra: unknown field (allowed: local, remote)',
      'rules[1].local[0].group: needs "id", or both "name" and "domain"',
      'rules[1].local[1].projects[0].roles: required, a list of {name}',
      'rules[1].remote[0]: use one of any_one_of, not_any_of, blacklist, whitelist, not any_one_of and whitelist',
      'rules[1].remote[0].any_one_of: must be a list',
      expect.stringMatching(/^rules\[2\]\.remote\[0\]\.any_one_of\[0\]: bad regular expression/),
    ]);
  });

  it('refuses an empty mapping', () => {
    expect(validateMapping({ rules: [] })).toEqual({ ok: false, problems: [{ path: 'rules', message: 'must hold at least one rule' }] });
    expect(validateMapping('x').ok).toBe(false);
  });
});
