import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { PythonRegexError, UnsupportedRegexError, pythonSearch } from '@app/keystone-mapping';
import { peerAvailable } from '../support/peers';

/**
 * Our reading of Python regular expressions against the Python Keystone runs on
 * (/usr/bin/python3, Debian's, the interpreter of keystone-manage): for every pattern, either the
 * same refusal (exception type and message) or the same re.search answer on every text.
 * One interpreter run for all patterns; the mapping cases prove the same through keystone-manage.
 */

const PYTHON = '/usr/bin/python3';
const available = peerAvailable('python regex vs Python re', 'keystone', ['/usr/bin/keystone-manage', PYTHON], 'keystone.sh');
const peer = available ? describe : describe.skip;

const TEXTS = [
  '',
  'a',
  'A',
  'abc',
  'ABC',
  'aBc',
  'xabcx',
  'abc\n',
  'abc\nd',
  'x\nabc',
  'ab\r\ncd',
  'ab\rcd',
  'a\u2028b',
  'staff',
  'Staff',
  'STAFF@infn.it',
  'infn:cms',
  'cern:atlas',
  'foo bar',
  'foo_bar',
  'fooé',
  'é',
  'É',
  'ǅ',
  'ſ',
  'S',
  's',
  'K',
  '\u212a',
  'k',
  'ı',
  'I',
  'i',
  'İ',
  'µ',
  'Μ',
  'σ',
  'ς',
  'Σ',
  '١٢٣',
  '123',
  '²',
  '\u00a0',
  '\x1c',
  '\x85',
  '\ufeff',
  ' ',
  '😀',
  'a😀b',
  'aa',
  'abab',
  'aaa',
  'aab',
  '{',
  'a{',
  'a{1',
  'a{,2}',
  '-',
  ']',
  '\\',
  '\t',
];

const PATTERNS = [
  // Inline flags at the start, alone and combined.
  '(?i)^staff$',
  '(?i)abc',
  '(?s)a.c',
  'a.c',
  '(?m)^abc$',
  '^abc$',
  '(?x) a b  c  # a comment',
  '(?x)[ ]',
  '(?ix) A B C',
  '(?is)A.C',
  '(?im)^d$',
  '(?a)\\w',
  '(?a)(?i)k',
  '(?u)\\w',
  '(?i)k',
  '(?i)s',
  '(?i)i',
  '(?i)ı',
  '(?i)σ',
  '(?i)µ',
  '(?i)[a-c]+',
  '(?i)[^a-c]',
  '(?i)[k-l]',
  '(?i)[^k]',
  '(?i)ǆ',
  '(?ai)K',
  // Scoped flags.
  '(?i:A)bc',
  'a(?i:B)c',
  '(?i)a(?-i:B)c',
  '(?s:.)',
  '(?x: a b )c',
  '(?m:^d)',
  '(?a:\\w)',
  // Named groups and references, numbered references.
  '(?P<first>a)(?P=first)',
  '(?P<x>ab)(?P=x)',
  '(a)\\1',
  '(a)(b)\\2',
  '(?i)(a)\\1',
  // Anchors: \A, \Z, $ before a final newline.
  '\\Aabc\\Z',
  'abc\\Z',
  'abc$',
  '\\Aab',
  '^$',
  '$',
  '\\Z',
  // Classes and categories as Python reads them.
  '\\w+',
  '^\\w$',
  '^\\W$',
  '^\\d+$',
  '^\\D$',
  '^\\s$',
  '^\\S$',
  '[\\s]',
  '[\\w-]',
  '[\\d\\W]',
  '[^\\d\\W]',
  '\\bfoo\\b',
  '\\Bbar',
  '\\B',
  'foo\\b',
  '^.$',
  '^..$',
  '[]]',
  '[^]]',
  '[a-]',
  '[\\]]',
  '[\\b]',
  '\\x41',
  '\\u00e9',
  '\\U0001F600',
  '\\101',
  '\\0',
  '[\\101-\\103]',
  // Quantifiers, literal braces, lazy, possessive and atomic.
  'a{2}',
  'a{,2}',
  'a{1,}b',
  'a{',
  'a{1',
  'a{,2',
  'a{}',
  'x{}',
  'a+?',
  'a*+a',
  'a++b',
  '(?>a+)b',
  '(?>a|ab)c',
  'a?+',
  // Lookarounds.
  '(?=a)ab',
  '(?!a).b',
  '(?<=a)b',
  '(?<!a)b',
  '(?<=ab|cd)c',
  '(?#a comment)abc',
  '(?:(?=a))*b',
  // What Python refuses.
  'abc(?i)',
  'a(?i)b',
  '(?L)a',
  '(?au)a',
  '(?a)(?u)a',
  '(?-a:x)',
  '(?i-i:x)',
  '(?z)a',
  '(?i',
  '(?P<1>a)',
  '(?P<x>a)(?P<x>b)',
  '(?P=y)',
  '(?P<x>a(?P=x))',
  '(?Px)',
  '(?<=a+)b',
  '(?<=a|bc)d',
  '(a',
  'a)',
  '*a',
  'a**',
  '^*',
  'a{2,1}',
  '[a',
  '[z-a]',
  '[\\w-z]',
  '\\q',
  '[\\q]',
  '\\8',
  '[\\8]',
  '\\2(a)',
  '\\x4',
  '\\u00e',
  '\\U00110000',
  '\\777',
  '[\\777]',
  '(?<x)',
  '(?',
  'a\\',
  '(?x)(?i)\nabc)',
  'a{99999999999}',
];

/**
 * Generated patterns (a fixed seed, so the same ones each run) from pieces of regex syntax:
 * whatever they combine into, we must refuse or match as Python does.
 */
const GENERATED = fc.sample(
  fc
    .array(
      fc.constantFrom(
        ...'()[]{}|?*+.^$\\-:=!<>#,aAbBiIkKsSxX019_é \n'.split(''),
        '(?i)',
        '(?x)',
        '(?s)',
        '(?m)',
        '(?a)',
        '(?i:',
        '(?-i:',
        '(?P<g>',
        '(?P=g)',
        '(?<=',
        '(?<!',
        '(?=',
        '(?!',
        '(?>',
        '\\b',
        '\\B',
        '\\w',
        '\\W',
        '\\d',
        '\\s',
        '\\A',
        '\\Z',
        '\\1',
        '\\x41',
        '[^',
        '{1,2}',
        '{,2}',
        '{2}',
        '*?',
        '++',
      ),
      { maxLength: 12 },
    )
    .map((pieces) => pieces.join('')),
  { numRuns: 600, seed: 20261130 },
);
const ALL_PATTERNS = [...PATTERNS, ...GENERATED];

interface PythonVerdict {
  error?: string;
  matches?: boolean[];
}

function pythonVerdicts(): PythonVerdict[] {
  const script = `
import json, re, sys, warnings
warnings.simplefilter('ignore')
patterns, texts = json.load(sys.stdin)
out = []
for p in patterns:
    try:
        out.append({'matches': [re.search(p, t) is not None for t in texts]})
    except Exception as e:
        kind = 're.error' if isinstance(e, re.error) else type(e).__name__
        out.append({'error': '%s: %s' % (kind, e)})
print(json.dumps(out))
`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify([ALL_PATTERNS, TEXTS]) }).toString()) as PythonVerdict[];
}

function ourVerdict(pattern: string): PythonVerdict {
  try {
    return { matches: TEXTS.map((t) => pythonSearch(pattern, t)) };
  } catch (err) {
    if (err instanceof PythonRegexError) return { error: `${err.pythonType}: ${err.message}` };
    if (err instanceof UnsupportedRegexError) return { error: `unsupported: ${err.message}` };
    throw err;
  }
}

peer('Python regular expressions: the same refusals and the same re.search answers as Python', () => {
  let theirs: PythonVerdict[];
  beforeAll(() => {
    theirs = pythonVerdicts();
  });

  it('generated patterns: the same refusals and answers (but what we say we cannot express)', () => {
    const differing = GENERATED.map((pattern, i) => ({ pattern, ours: ourVerdict(pattern), python: theirs[PATTERNS.length + i] }))
      .filter(({ ours }) => !ours.error?.startsWith('unsupported:'))
      .filter(({ ours, python }) => JSON.stringify(ours) !== JSON.stringify(python));
    expect(differing).toEqual([]);
    // The sample must hold plenty of both, or it proves little.
    const verdicts = theirs.slice(PATTERNS.length);
    const accepted = verdicts.filter((v) => v.matches).length;
    expect(accepted).toBeGreaterThan(100);
    expect(verdicts.length - accepted).toBeGreaterThan(100);
  });

  PATTERNS.forEach((pattern, i) => {
    it(JSON.stringify(pattern), () => {
      const ours = ourVerdict(pattern);
      const python = theirs[i];
      if (python.matches && ours.matches) {
        // Name the texts where the answers differ, not just two arrays of booleans.
        const differing = TEXTS.filter((_, j) => python.matches![j] !== ours.matches![j]);
        expect(differing).toEqual([]);
      } else {
        expect(ours).toEqual(python);
      }
    });
  });
});
