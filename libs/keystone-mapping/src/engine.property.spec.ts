import fc from 'fast-check';
import { parseAssertionText } from './assertion';
import { Assertion, MappingError, processMapping } from './engine';
import { literalEval, pyRepr } from './python';
import { isPythonPrintable } from './python-printable';
import { PythonRegexError, UnsupportedRegexError, compilePythonRegex, pythonSearch } from './python-regex';
import { MappingRules } from './types';

const ATTRIBUTES = ['eppn', 'mail', 'groups', 'ent'];

/** Assertion values: plain words, separators, braces, Python and JSON syntax, any Unicode. */
const value = fc.oneof(
  fc.constantFrom(
    'a',
    'b',
    'staff',
    'x;y',
    '',
    ';',
    '{0}',
    '{',
    "['a', 'b']",
    "['JSON:{bad']",
    "[{'name': 'g'}]",
    'name',
    "[1, 'name']",
    `['JSON:{"name": 1']`,
    `['JSON:{"name": "g", "domain": {"id": "d"}}']`,
    "[None, 'name']",
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const assertion: fc.Arbitrary<Assertion> = fc.dictionary(fc.constantFrom(...ATTRIBUTES), value, { maxKeys: 4 });

/** Rules that exercise every requirement kind and every local kind, regex or not. */
const requirement = fc.oneof(
  fc.record({ type: fc.constantFrom(...ATTRIBUTES) }),
  fc.record({ type: fc.constantFrom(...ATTRIBUTES), any_one_of: fc.array(value, { maxLength: 3 }), regex: fc.boolean() }),
  fc.record({ type: fc.constantFrom(...ATTRIBUTES), not_any_of: fc.array(value, { maxLength: 3 }), regex: fc.boolean() }),
  fc.record({ type: fc.constantFrom(...ATTRIBUTES), whitelist: fc.array(value, { maxLength: 3 }), regex: fc.boolean() }),
  fc.record({ type: fc.constantFrom(...ATTRIBUTES), blacklist: fc.array(value, { maxLength: 3 }), regex: fc.boolean() }),
);
const template = fc.oneof(fc.constantFrom('{0}', '{1}', '{2}', 'x-{0}', '{}', '{{0}}', '{0', 'fixed'), fc.string({ maxLength: 6 }));
const local = fc.oneof(
  fc.record({ user: fc.record({ name: template, type: fc.constantFrom('ephemeral', 'local') }, { requiredKeys: ['name'] }) }),
  fc.record({ group: fc.oneof(fc.record({ id: template }), fc.record({ name: template, domain: fc.constant({ name: 'Default' }) })) }),
  fc.record({ groups: template, domain: fc.constant({ id: 'd' }) }, { requiredKeys: ['groups'] }),
  fc.record({ group_ids: template }),
  fc.record({ projects: fc.constant([{ name: 'p', roles: [{ name: 'member' }] }]) }),
);
const rules: fc.Arbitrary<MappingRules> = fc
  .array(fc.record({ local: fc.array(local, { maxLength: 3 }), remote: fc.array(requirement, { minLength: 1, maxLength: 3 }) }), {
    minLength: 1,
    maxLength: 3,
  })
  .map((list) => ({ rules: list }));

/** Either a mapping or a MappingError: nothing else may escape the engine. */
function outcome(run: () => unknown): 'mapped' | MappingError {
  try {
    run();
    return 'mapped';
  } catch (err) {
    if (err instanceof MappingError) return err;
    throw err;
  }
}

/** A rule mapping the user only when its one requirement holds. */
const gate = (req: object): MappingRules => ({ rules: [{ local: [{ user: { name: 'u' } }], remote: [{ type: 'v', ...req }] }] });
const applies = (req: object, values: string[]) => outcome(() => processMapping(gate(req), { v: values.join(';') })) === 'mapped';
const word = fc.stringMatching(/^[a-z0-9]{1,4}$/);

describe('mapping engine (properties)', () => {
  it('random rules and assertions map, or fail with a MappingError, never with anything else', () => {
    fc.assert(
      fc.property(rules, assertion, (r, a) => void outcome(() => processMapping(r, a))),
      { numRuns: 500 },
    );
  });

  it('any assertion value rendered into any local kind maps, or fails with a MappingError', () => {
    const everyLocal: MappingRules = {
      rules: [
        { local: [{ user: { name: '{0}' } }], remote: [{ type: 'v' }] },
        { local: [{ groups: '{0}', domain: { id: 'd' } }], remote: [{ type: 'v' }] },
        { local: [{ groups: '{0}' }], remote: [{ type: 'v' }] },
        { local: [{ group_ids: '{0}' }], remote: [{ type: 'v' }] },
        { local: [{ group: { name: '{0}', domain: { name: 'D' } } }], remote: [{ type: 'v' }] },
      ],
    };
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 4 }), (v, i) => {
        void outcome(() => processMapping({ rules: [everyLocal.rules[i]] }, { v }));
      }),
      { numRuns: 1000 },
    );
  });

  it('any_one_of and not_any_of agree with a reference predicate (equality, and re.search on plain words)', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 5 }), fc.array(word, { maxLength: 4 }), fc.boolean(), (values, wanted, ci) => {
        expect(applies({ any_one_of: wanted }, values)).toBe(values.some((v) => wanted.includes(v)));
        expect(applies({ not_any_of: wanted }, values)).toBe(!values.some((v) => wanted.includes(v)));
        // A plain word as a pattern is found anywhere in a value; (?i) ignores ASCII case.
        const patterns = wanted.map((w) => (ci ? `(?i)${w.toUpperCase()}` : w));
        const found = values.some((v) => wanted.some((w) => v.includes(w)));
        expect(applies({ any_one_of: patterns, regex: true }, values)).toBe(found);
        expect(applies({ not_any_of: patterns, regex: true }, values)).toBe(!found);
      }),
    );
  });

  it('whitelists and blacklists select what a reference filter selects; a regex whitelist keeps order and duplicates', () => {
    const selected = (req: object, values: string[]): string[] => {
      const name = processMapping(
        { rules: [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'v', ...req }] }] },
        { v: values.join(';') },
      ).user.name!;
      const list = literalEval(name);
      return Array.isArray(list) ? (list as string[]) : [name];
    };
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), fc.array(word, { maxLength: 4 }), (values, listed) => {
        const unique = [...new Set(values)];
        expect(selected({ whitelist: listed, regex: true }, values)).toEqual(values.filter((v) => listed.some((w) => v.includes(w))));
        expect(new Set(selected({ whitelist: listed }, values))).toEqual(new Set(unique.filter((v) => listed.includes(v))));
        expect(selected({ whitelist: listed }, values)).toHaveLength(unique.filter((v) => listed.includes(v)).length);
        expect(selected({ blacklist: listed }, values)).toHaveLength(unique.filter((v) => !listed.includes(v)).length);
      }),
    );
  });

  it('repr of any list of strings is printable and literal-evals back to the same list', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 10 })), (list) => {
        const text = pyRepr(list);
        for (const ch of text) expect(isPythonPrintable(ch.codePointAt(0)!) || ch === ' ').toBe(true);
        expect(literalEval(text)).toEqual(list);
      }),
    );
  });

  it('assertion text never throws but the documented line error', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        try {
          parseAssertionText(text);
        } catch (err) {
          expect((err as Error).message).toMatch(/^assertion line \d+: expected 'key: value'/);
        }
      }),
    );
  });
});

describe('Python regular expressions (properties)', () => {
  it('an escaped literal is found exactly where the text contains it', () => {
    const escape = (s: string) => [...s].map((c) => (/[A-Za-z0-9]/.test(c) ? c : `\\${c}`)).join('');
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 5 }),
        fc.string({ unit: 'binary', maxLength: 12 }),
        (needle, hay) => {
          expect(pythonSearch(escape(needle), hay)).toBe(hay.includes(needle));
          expect(pythonSearch(escape(needle), `${hay}${needle}${hay}`)).toBe(true);
        },
      ),
    );
  });

  it('any pattern compiles, or is refused as Python refuses it or as unsupported: never a JavaScript SyntaxError', () => {
    const piece = fc.constantFrom(
      ...'()[]{}|?*+.^$\\-:=!<>#,PaiLmsxuA0123zZbBdDwWsS_é😀 \n'.split(''),
      '(?',
      '(?P<',
      '(?P=',
      '(?<=',
      '(?<!',
      '\\x4',
      '\\u00e9',
      '\\U0001F600',
      '{2,1}',
      '{1,3}',
      '(?i)',
      '(?x)',
      '(?-i:',
      '(?>',
      '++',
      '*?',
      '[^',
      '\\1',
      '\\12',
      '\\0',
      '\\777',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.string({ maxLength: 8 }), (pieces, text) => {
        const pattern = pieces.join('');
        try {
          compilePythonRegex(pattern).test(text);
        } catch (err) {
          if (!(err instanceof PythonRegexError || err instanceof UnsupportedRegexError)) throw err;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
