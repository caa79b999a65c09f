import { MappingError, processMapping } from './engine';
import { PythonRegexError, UnsupportedRegexError, pythonSearch } from './python-regex';

/** The live comparison with Python's re is test/keystone/python-regex.e2e-spec.ts; these pin the decisions. */
describe('Python regular expressions', () => {
  it('reads the inline flags, named groups and anchors JavaScript lacks', () => {
    expect(pythonSearch('(?i)^staff$', 'STAFF')).toBe(true);
    expect(pythonSearch('(?x) a b  # comment', 'ab')).toBe(true);
    expect(pythonSearch('(?s)a.b', 'a\nb')).toBe(true);
    expect(pythonSearch('a.b', 'a\nb')).toBe(false);
    expect(pythonSearch('a.b', 'a\rb')).toBe(true); // JavaScript's . refuses \r, Python's does not
    expect(pythonSearch('(?m)^b$', 'a\nb\nc')).toBe(true);
    expect(pythonSearch('(?P<x>a)(?P=x)', 'xaa')).toBe(true);
    expect(pythonSearch('\\Aab\\Z', 'ab\n')).toBe(false);
    expect(pythonSearch('ab$', 'ab\n')).toBe(true);
  });

  it('reads \\w, \\d and \\s as Python 3 does (Unicode)', () => {
    expect(pythonSearch('^\\w+$', 'josé')).toBe(true);
    expect(pythonSearch('^\\d+$', '١٢٣')).toBe(true);
    expect(pythonSearch('^\\s$', '\x1c')).toBe(true);
    expect(pythonSearch('^\\s$', '\ufeff')).toBe(false);
    expect(pythonSearch('(?a)^\\w+$', 'josé')).toBe(false);
  });

  it('refuses what Python refuses, with its message', () => {
    const refusal = (p: string) => {
      try {
        pythonSearch(p, '');
      } catch (err) {
        return err instanceof PythonRegexError ? `${err.pythonType}: ${err.message}` : String(err);
      }
      return 'accepted';
    };
    expect(refusal('a(?i)b')).toBe('re.error: global flags not at the start of the expression at position 1');
    expect(refusal('(?P<x>a)(?P=y)')).toBe("re.error: unknown group name 'y' at position 12");
    expect(refusal('(?<=a+)b')).toBe('re.error: look-behind requires fixed-width pattern');
    expect(refusal('(a')).toBe('re.error: missing ), unterminated subpattern at position 0');
    expect(refusal('\\q')).toBe('re.error: bad escape \\q at position 0');
  });

  it('says so for what Python accepts and JavaScript cannot express', () => {
    expect(() => pythonSearch('(a)?(?(1)b|c)', 'c')).toThrow(UnsupportedRegexError);
  });

  it('the engine reports a refused pattern as invalid_regex, with what Keystone dies of', () => {
    const run = () =>
      processMapping(
        { rules: [{ local: [{ user: { name: 'x' } }], remote: [{ type: 'a', any_one_of: ['('], regex: true }] }] },
        { a: 'v' },
      );
    expect(run).toThrow(MappingError);
    try {
      run();
    } catch (err) {
      expect((err as MappingError).code).toBe('invalid_regex');
      expect((err as MappingError).pythonError).toBe('re.error: missing ), unterminated subpattern at position 0');
    }
  });
});
