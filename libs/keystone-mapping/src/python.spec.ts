import { processMapping } from './engine';
import { FormatIndexError, literalEval, pyFormat, pyRepr } from './python';

describe('Python behaviours the engine relies on', () => {
  it('formats positional and automatic fields, escapes braces, and reprs lists', () => {
    expect(pyFormat('{0}-{1}', ['a', 'b'])).toBe('a-b');
    expect(pyFormat('{}{}', ['x', 'y'])).toBe('xy');
    expect(pyFormat('{{literal}} {0}', ['v'])).toBe('{literal} v');
    expect(pyFormat('{0}', [['g1', "it's"]])).toBe(`['g1', "it's"]`);
    expect(() => pyFormat('{1}', ['only'])).toThrow(FormatIndexError);
    expect(() => pyFormat('{0', ['x'])).toThrow(SyntaxError);
  });

  it('reprs strings as Python does', () => {
    expect(pyRepr('plain')).toBe("'plain'");
    expect(pyRepr(`both ' and "`)).toBe(`'both \\' and "'`);
    expect(pyRepr('tab\there\\')).toBe("'tab\\there\\\\'");
  });

  it('literal-evals lists and refuses what Python refuses', () => {
    expect(literalEval('[\'a\', "b", 1, True, None]')).toEqual(['a', 'b', 1, true, null]);
    expect(literalEval("[{'name': 'g', 'domain': {'id': 'd'}}]")).toEqual([{ name: 'g', domain: { id: 'd' } }]);
    expect(literalEval("'abc' 'def'")).toBe('abcdef');
    expect(literalEval('not python')).toBeUndefined();
    expect(literalEval('[1, 2')).toBeUndefined();
    expect(literalEval(pyRepr(['x\ny', "q'"]))).toEqual(['x\ny', "q'"]);
  });
});

describe('unionProjects (the bridge extension)', () => {
  const rules = {
    rules: [
      { local: [{ user: { name: '{0}' } }, { projects: [{ name: 'cms', roles: [{ name: 'member' }] }] }], remote: [{ type: 'eppn' }] },
      {
        local: [
          {
            projects: [
              { name: 'lhcb', roles: [{ name: 'reader' }] },
              { name: 'cms', roles: [{ name: 'reader' }] },
            ],
          },
        ],
        remote: [{ type: 'eppn' }],
      },
    ],
  };
  it("keeps Keystone's last-rule-wins by default and merges projects when asked", () => {
    expect(processMapping(rules, { eppn: 'a' }).projects.map((p) => p.name)).toEqual(['lhcb', 'cms']);
    expect(processMapping(rules, { eppn: 'a' }, { unionProjects: true }).projects).toEqual([
      { name: 'cms', roles: [{ name: 'member' }, { name: 'reader' }] },
      { name: 'lhcb', roles: [{ name: 'reader' }] },
    ]);
  });
});
