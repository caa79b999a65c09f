import { Assertion } from './engine';

/** Python's str.isspace() characters: what str.strip() removes. */
const PY_SPACE =
  '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
/** Where Python's str.splitlines() breaks a line (\r\n counting as one break). */
const PY_LINE_BREAKS = '\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029';

/** Python's str.splitlines() (no regular expression: the characters are control characters). */
function pySplitLines(s: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (!PY_LINE_BREAKS.includes(s[i])) continue;
    lines.push(s.slice(start, i));
    if (s[i] === '\r' && s[i + 1] === '\n') i++;
    start = i + 1;
  }
  if (start < s.length) lines.push(s.slice(start));
  return lines;
}

/** Python's str.strip() with no argument (JavaScript's trim() strips another set of characters). */
export function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && PY_SPACE.includes(s[start])) start++;
  while (end > start && PY_SPACE.includes(s[end - 1])) end--;
  return s.slice(start, end);
}

/**
 * Keystone's `mapping_engine --input` format: `name: value` lines, several values joined with `;`.
 * Lines and spaces as keystone-manage reads them (Python's splitlines and strip). Throws naming the
 * line, as keystone-manage does.
 */
export function parseAssertionText(text: string): Assertion {
  const out: Assertion = {};
  pySplitLines(pyStrip(text)).forEach((raw, i) => {
    const line = pyStrip(raw);
    if (line === '') return;
    const colon = line.indexOf(':');
    if (colon < 0) throw new Error(`assertion line ${i + 1}: expected 'key: value' but found '${line}'`);
    out[pyStrip(line.slice(0, colon))] = pyStrip(line.slice(colon + 1));
  });
  return out;
}
