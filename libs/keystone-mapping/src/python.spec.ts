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

    // Non-printable by Python 3.11's rules: \x for Latin-1, \u for the BMP, \U beyond.
    expect(pyRepr('a\u00a0b\u0001\u007f\u00ad')).toBe("'a\\xa0b\\x01\\x7f\\xad'");
    expect(pyRepr('\u200b\ufeff\ue000\u0378')).toBe("'\\u200b\\ufeff\\ue000\\u0378'");
    expect(pyRepr('\u{e0001}\u{10ffff}')).toBe("'\\U000e0001\\U0010ffff'");
    // Printable non-ASCII stays; a character newer than Python 3.11's Unicode (14.0) does not.
    expect(pyRepr('é😀ǅ\u3000x')).toBe("'é😀ǅ\\u3000x'");
    expect(pyRepr('\u{1f6dc}')).toBe("'\\U0001f6dc'");
    expect(literalEval(pyRepr(['\u00a0', '\u{e0001}', 'é']))).toEqual(['\u00a0', '\u{e0001}', 'é']);
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

describe('whitelist and blacklist results', () => {
  const render = (req: object, values: string) =>
    processMapping({ rules: [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'v', ...req }] }] }, { v: values }).user.name;
  it('a regex whitelist keeps the order and the duplicates; plain lists and blacklists keep each value once', () => {
    expect(render({ whitelist: ['^g'], regex: true }, 'g2;x;g1;g2')).toBe("['g2', 'g1', 'g2']");
    expect(render({ whitelist: ['g1', 'g2'] }, 'g2;x;g1;g2')).toBe("['g2', 'g1']");
    expect(render({ blacklist: ['x'] }, 'g2;x;g1;g2')).toBe("['g2', 'g1']");
    expect(render({ blacklist: ['^x'], regex: true }, 'g2;x;g1;g2')).toBe("['g2', 'g1']");
    expect(render({ whitelist: ['nothing'] }, 'a;b')).toBe('[]');
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
