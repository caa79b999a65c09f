import { pyRepr } from './python';

/**
 * Python 3.11's `re` syntax, which Keystone's `regex: true` requirements use (`re.search`),
 * parsed the way CPython's re/_parser.py parses it (same refusals, same messages and positions)
 * and rewritten as a JavaScript RegExp with the same meaning. Nothing is left to JavaScript's own
 * reading of a construct that differs: `.`, `^`, `$`, `\w`, `\s`, `\d`, `\b` and ignore-case are
 * all spelled out, since Python and JavaScript disagree on each of them somewhere.
 */

/** What Python raises: `re.error` for syntax, ValueError/OverflowError for a few flag and size checks. */
export class PythonRegexError extends Error {
  constructor(
    readonly pythonType: 're.error' | 'ValueError' | 'OverflowError',
    message: string,
  ) {
    super(message);
  }
}

/** Python accepts the pattern but JavaScript has no equivalent (conditionals, \N{name}). */
export class UnsupportedRegexError extends Error {}

const MAXREPEAT = 4294967295;
const F_I = 2;
const F_L = 4;
const F_M = 8;
const F_S = 16;
const F_U = 32;
const F_X = 64;
const F_A = 256;
const F_T = 1;
const FLAGS: Record<string, number> = { i: F_I, L: F_L, m: F_M, s: F_S, x: F_X, a: F_A, t: F_T, u: F_U };
const TYPE_FLAGS = F_A | F_L | F_U;
const GLOBAL_FLAGS = F_T;

const DIGITS = '0123456789';
const OCTDIGITS = '01234567';
const HEXDIGITS = '0123456789abcdefABCDEF';
const isAsciiLetter = (c: string) => /^[A-Za-z]$/.test(c);
const WHITESPACE = ' \t\n\r\v\f';
const SPECIAL_CHARS = '.\\[{()*+?^$|';

type Category = 'd' | 'D' | 's' | 'S' | 'w' | 'W';
type SetItem = { t: 'lit'; c: number } | { t: 'range'; lo: number; hi: number } | { t: 'cat'; cat: Category };
type At = 'begin' | 'end' | 'beginString' | 'endString' | 'boundary' | 'nonBoundary';
type Node =
  | { op: 'lit'; c: number }
  | { op: 'notlit'; c: number }
  | { op: 'in'; items: SetItem[]; negate: boolean }
  | { op: 'any' }
  | { op: 'at'; at: At }
  | { op: 'repeat'; kind: 'max' | 'min' | 'possessive'; min: number; max: number; item: Node[] }
  | { op: 'group'; gid: number | null; add: number; del: number; p: Node[] }
  | { op: 'atomic'; p: Node[] }
  | { op: 'branch'; alts: Node[][] }
  | { op: 'assert'; behind: boolean; negative: boolean; p: Node[] }
  | { op: 'groupref'; gid: number }
  | { op: 'conditional' };

/** re.error's text: the message, the position, and line/column when the pattern has several lines. */
function reError(msg: string, pattern: string[], pos: number): PythonRegexError {
  let text = `${msg} at position ${pos}`;
  if (pattern.includes('\n')) {
    const before = pattern.slice(0, pos);
    const line = before.filter((c) => c === '\n').length + 1;
    const col = pos - before.lastIndexOf('\n');
    text += ` (line ${line}, column ${col})`;
  }
  return new PythonRegexError('re.error', text);
}

/** re/_parser.py's Tokenizer, over code points (Python's string indices). */
class Tokenizer {
  index = 0;
  next: string | null = null;
  constructor(readonly s: string[]) {
    this.advance();
  }
  private advance() {
    let index = this.index;
    if (index >= this.s.length) {
      this.next = null;
      return;
    }
    let char = this.s[index];
    if (char === '\\') {
      index++;
      if (index >= this.s.length) throw reError('bad escape (end of pattern)', this.s, this.s.length - 1);
      char += this.s[index];
    }
    this.index = index + 1;
    this.next = char;
  }
  match(c: string): boolean {
    if (c === this.next) {
      this.advance();
      return true;
    }
    return false;
  }
  get(): string | null {
    const t = this.next;
    this.advance();
    return t;
  }
  getwhile(n: number, charset: string): string {
    let out = '';
    for (let i = 0; i < n; i++) {
      const c = this.next;
      if (c === null || c.length !== 1 || !charset.includes(c)) break;
      out += c;
      this.advance();
    }
    return out;
  }
  getuntil(terminator: string, name: string): string {
    let out = '';
    for (;;) {
      const c = this.next;
      this.advance();
      if (c === null) {
        if (!out) throw this.error(`missing ${name}`);
        throw this.error(`missing ${terminator}, unterminated name`, [...out].length);
      }
      if (c === terminator) {
        if (!out) throw this.error(`missing ${name}`, 1);
        break;
      }
      out += c;
    }
    return out;
  }
  tell(): number {
    return this.index - (this.next === null ? 0 : [...this.next].length);
  }
  seek(index: number) {
    this.index = index;
    this.advance();
  }
  error(msg: string, offset = 0): PythonRegexError {
    return reError(msg, this.s, this.tell() - offset);
  }
  checkgroupname(name: string, offset: number) {
    if (!/^[\p{XID_Start}_]\p{XID_Continue}*$/u.test(name)) {
      throw this.error(`bad character in group name ${pyRepr(name)}`, [...name].length + offset);
    }
  }
}

class State {
  flags = 0;
  groupdict = new Map<string, number>();
  groupwidths: Array<[number, number] | null> = [null];
  lookbehindgroups: number | null = null;
  get groups() {
    return this.groupwidths.length;
  }
  opengroup(name: string | null): number {
    const gid = this.groups;
    this.groupwidths.push(null);
    if (name !== null) {
      const ogid = this.groupdict.get(name);
      if (ogid !== undefined) throw new Error(`redefinition of group name ${pyRepr(name)} as group ${gid}; was group ${ogid}`);
      this.groupdict.set(name, gid);
    }
    return gid;
  }
  checkgroup(gid: number) {
    return gid < this.groups && this.groupwidths[gid] !== null;
  }
  checklookbehindgroup(gid: number, source: Tokenizer) {
    if (this.lookbehindgroups !== null) {
      if (!this.checkgroup(gid)) throw source.error('cannot refer to an open group');
      if (gid >= this.lookbehindgroups) throw source.error('cannot refer to group defined in the same lookbehind subpattern');
    }
  }
}

function width(p: Node[], state: State): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const n of p) {
    if (n.op === 'branch') {
      let i = MAXREPEAT - 1;
      let j = 0;
      for (const alt of n.alts) {
        const [l, h] = width(alt, state);
        i = Math.min(i, l);
        j = Math.max(j, h);
      }
      lo += i;
      hi += j;
    } else if (n.op === 'atomic' || n.op === 'group') {
      const [i, j] = width(n.p, state);
      lo += i;
      hi += j;
    } else if (n.op === 'repeat') {
      const [i, j] = width(n.item, state);
      lo += i * n.min;
      hi += j * n.max;
    } else if (n.op === 'lit' || n.op === 'notlit' || n.op === 'in' || n.op === 'any') {
      lo++;
      hi++;
    } else if (n.op === 'groupref') {
      const [i, j] = state.groupwidths[n.gid] ?? [0, 0];
      lo += i;
      hi += j;
    }
  }
  return [Math.min(lo, MAXREPEAT - 1), Math.min(hi, MAXREPEAT)];
}

const CATEGORY_ESCAPES: Record<string, Node> = {
  '\\A': { op: 'at', at: 'beginString' },
  '\\b': { op: 'at', at: 'boundary' },
  '\\B': { op: 'at', at: 'nonBoundary' },
  '\\Z': { op: 'at', at: 'endString' },
};
const CLASS_CATEGORIES = new Set(['\\d', '\\D', '\\s', '\\S', '\\w', '\\W']);
const SIMPLE_ESCAPES: Record<string, number> = { '\\a': 7, '\\b': 8, '\\f': 12, '\\n': 10, '\\r': 13, '\\t': 9, '\\v': 11, '\\\\': 92 };

/** \U with eight hex digits; past U+10FFFF Python's chr() refuses it as a bad escape. */
function longUnicodeEscape(source: Tokenizer, escape: string): number {
  escape += source.getwhile(8, HEXDIGITS);
  if (escape.length !== 10) throw source.error(`incomplete escape ${escape}`, escape.length);
  const code = parseInt(escape.slice(2), 16);
  if (code > 0x10ffff) throw source.error(`bad escape ${escape}`, escape.length);
  return code;
}

/** The escapes both contexts share (\x, \u, \N); undefined when the escape is not one of them. */
function numericEscape(source: Tokenizer, escape: string): number | undefined {
  const c = escape.slice(1, 2);
  const fixed = (digits: number) => {
    escape += source.getwhile(digits, HEXDIGITS);
    if (escape.length !== digits + 2) throw source.error(`incomplete escape ${escape}`, escape.length);
    return parseInt(escape.slice(2), 16);
  };
  if (c === 'x') return fixed(2);
  if (c === 'u') return fixed(4);
  if (c === 'N') {
    if (!source.match('{')) throw source.error('missing {');
    source.getuntil('}', 'character name');
    throw new UnsupportedRegexError('named character escapes (\\N{...}) are not supported');
  }
  return undefined;
}

function classEscape(source: Tokenizer, escape: string): SetItem {
  if (escape in SIMPLE_ESCAPES) return { t: 'lit', c: SIMPLE_ESCAPES[escape] };
  if (CLASS_CATEGORIES.has(escape)) return { t: 'cat', cat: escape[1] as Category };
  const c = escape.slice(1, 2);
  if (c === 'U') return { t: 'lit', c: longUnicodeEscape(source, escape) };
  const numeric = numericEscape(source, escape);
  if (numeric !== undefined) return { t: 'lit', c: numeric };
  if (OCTDIGITS.includes(c)) {
    escape += source.getwhile(2, OCTDIGITS);
    const code = parseInt(escape.slice(1), 8);
    if (code > 0o377) throw source.error(`octal escape value ${escape} outside of range 0-0o377`, escape.length);
    return { t: 'lit', c: code };
  }
  if (DIGITS.includes(c)) throw source.error(`bad escape ${escape}`, escape.length);
  if ([...escape].length === 2) {
    if (isAsciiLetter(c)) throw source.error(`bad escape ${escape}`, 2);
    return { t: 'lit', c: escape.codePointAt(1)! };
  }
  throw source.error(`bad escape ${escape}`, [...escape].length);
}

function escapeNode(source: Tokenizer, escape: string, state: State): Node {
  if (escape in CATEGORY_ESCAPES) return CATEGORY_ESCAPES[escape];
  if (CLASS_CATEGORIES.has(escape)) return { op: 'in', items: [{ t: 'cat', cat: escape[1] as Category }], negate: false };
  if (escape in SIMPLE_ESCAPES) return { op: 'lit', c: SIMPLE_ESCAPES[escape] };
  const c = escape.slice(1, 2);
  if (c === 'U') return { op: 'lit', c: longUnicodeEscape(source, escape) };
  const numeric = numericEscape(source, escape);
  if (numeric !== undefined) return { op: 'lit', c: numeric };
  if (c === '0') {
    escape += source.getwhile(2, OCTDIGITS);
    return { op: 'lit', c: parseInt(escape.slice(1), 8) };
  }
  if (DIGITS.includes(c)) {
    if (source.next !== null && DIGITS.includes(source.next)) {
      escape += source.get();
      if (OCTDIGITS.includes(escape[1]) && OCTDIGITS.includes(escape[2]) && source.next !== null && OCTDIGITS.includes(source.next)) {
        escape += source.get();
        const code = parseInt(escape.slice(1), 8);
        if (code > 0o377) throw source.error(`octal escape value ${escape} outside of range 0-0o377`, escape.length);
        return { op: 'lit', c: code };
      }
    }
    const group = Number(escape.slice(1));
    if (group < state.groups) {
      if (!state.checkgroup(group)) throw source.error('cannot refer to an open group', escape.length);
      state.checklookbehindgroup(group, source);
      return { op: 'groupref', gid: group };
    }
    throw source.error(`invalid group reference ${group}`, escape.length - 1);
  }
  if ([...escape].length === 2) {
    if (isAsciiLetter(c)) throw source.error(`bad escape ${escape}`, 2);
    return { op: 'lit', c: escape.codePointAt(1)! };
  }
  throw source.error(`bad escape ${escape}`, [...escape].length);
}

function parseSub(source: Tokenizer, state: State, verbose: boolean, nested: number): Node[] {
  const items: Node[][] = [];
  for (;;) {
    items.push(parseSeq(source, state, verbose, nested + 1, !nested && items.length === 0));
    if (!source.match('|')) break;
    if (!nested) verbose = (state.flags & F_X) !== 0;
  }
  return items.length === 1 ? items[0] : [{ op: 'branch', alts: items }];
}

function parseFlags(source: Tokenizer, state: State, first: string): [number, number] | null {
  let char: string | null = first;
  let add = 0;
  let del = 0;
  if (char !== '-') {
    for (;;) {
      const flag = FLAGS[char];
      if (char === 'L') throw source.error("bad inline flags: cannot use 'L' flag with a str pattern");
      add |= flag;
      if (flag & TYPE_FLAGS && (add & TYPE_FLAGS) !== flag) throw source.error("bad inline flags: flags 'a', 'u' and 'L' are incompatible");
      char = source.get();
      if (char === null) throw source.error('missing -, : or )');
      if (')-:'.includes(char)) break;
      if (!(char in FLAGS)) throw source.error(/^\p{L}$/u.test(char) ? 'unknown flag' : 'missing -, : or )', [...char].length);
    }
  }
  if (char === ')') {
    state.flags |= add;
    return null;
  }
  if (add & GLOBAL_FLAGS) throw source.error('bad inline flags: cannot turn on global flag', 1);
  if (char === '-') {
    char = source.get();
    if (char === null) throw source.error('missing flag');
    if (!(char in FLAGS)) throw source.error(/^\p{L}$/u.test(char) ? 'unknown flag' : 'missing flag', [...char].length);
    for (;;) {
      const flag = FLAGS[char];
      if (flag & TYPE_FLAGS) throw source.error("bad inline flags: cannot turn off flags 'a', 'u' and 'L'");
      del |= flag;
      char = source.get();
      if (char === null) throw source.error('missing :');
      if (char === ':') break;
      if (!(char in FLAGS)) throw source.error(/^\p{L}$/u.test(char) ? 'unknown flag' : 'missing :', [...char].length);
    }
  }
  if (del & GLOBAL_FLAGS) throw source.error('bad inline flags: cannot turn off global flag', 1);
  if (add & del) throw source.error('bad inline flags: flag turned on and off', 1);
  return [add, del];
}

function parseSet(source: Tokenizer): Node {
  const here = source.tell() - 1;
  const set: SetItem[] = [];
  const negate = source.match('^');
  for (;;) {
    const self = source.get();
    if (self === null) throw source.error('unterminated character set', source.tell() - here);
    if (self === ']' && set.length) break;
    const code1: SetItem = self[0] === '\\' ? classEscape(source, self) : { t: 'lit', c: self.codePointAt(0)! };
    if (source.match('-')) {
      const that = source.get();
      if (that === null) throw source.error('unterminated character set', source.tell() - here);
      if (that === ']') {
        set.push(code1, { t: 'lit', c: 0x2d });
        break;
      }
      const code2: SetItem = that[0] === '\\' ? classEscape(source, that) : { t: 'lit', c: that.codePointAt(0)! };
      const span = [...self].length + 1 + [...that].length;
      if (code1.t !== 'lit' || code2.t !== 'lit') throw source.error(`bad character range ${self}-${that}`, span);
      if (code2.c < code1.c) throw source.error(`bad character range ${self}-${that}`, span);
      set.push({ t: 'range', lo: code1.c, hi: code2.c });
    } else {
      set.push(code1);
    }
  }
  if (set.length === 1 && set[0].t === 'lit') return negate ? { op: 'notlit', c: set[0].c } : { op: 'lit', c: set[0].c };
  return { op: 'in', items: set, negate };
}

function parseSeq(source: Tokenizer, state: State, verbose: boolean, nested: number, first = false): Node[] {
  const sub: Node[] = [];
  for (;;) {
    const self = source.next;
    if (self === null || self === '|' || self === ')') break;
    source.get();
    if (verbose) {
      if (WHITESPACE.includes(self)) continue;
      if (self === '#') {
        for (;;) {
          const c = source.get();
          if (c === null || c === '\n') break;
        }
        continue;
      }
    }
    if (self[0] === '\\') sub.push(escapeNode(source, self, state));
    else if (!SPECIAL_CHARS.includes(self)) sub.push({ op: 'lit', c: self.codePointAt(0)! });
    else if (self === '[') sub.push(parseSet(source));
    else if ('*+?{'.includes(self)) {
      const here = source.tell();
      let min = 0;
      let max = MAXREPEAT;
      if (self === '?') max = 1;
      else if (self === '+') min = 1;
      else if (self === '{') {
        if (source.next === '}') {
          sub.push({ op: 'lit', c: 0x7b });
          continue;
        }
        let lo = '';
        let hi = '';
        while (source.next !== null && DIGITS.includes(source.next)) lo += source.get();
        if (source.match(',')) while (source.next !== null && DIGITS.includes(source.next)) hi += source.get();
        else hi = lo;
        if (!source.match('}')) {
          sub.push({ op: 'lit', c: 0x7b });
          source.seek(here);
          continue;
        }
        if (lo) {
          min = Number(lo);
          if (min >= MAXREPEAT) throw new PythonRegexError('OverflowError', 'the repetition number is too large');
        }
        if (hi) {
          max = Number(hi);
          if (max >= MAXREPEAT) throw new PythonRegexError('OverflowError', 'the repetition number is too large');
          if (max < min) throw source.error('min repeat greater than max repeat', source.tell() - here);
        }
      }
      const last = sub[sub.length - 1];
      if (!last || last.op === 'at') throw source.error('nothing to repeat', source.tell() - here + 1);
      if (last.op === 'repeat') throw source.error('multiple repeat', source.tell() - here + 1);
      const item = last.op === 'group' && last.gid === null && !last.add && !last.del ? last.p : [last];
      const kind = source.match('?') ? 'min' : source.match('+') ? 'possessive' : 'max';
      sub[sub.length - 1] = { op: 'repeat', kind, min, max, item };
    } else if (self === '.') sub.push({ op: 'any' });
    else if (self === '(') {
      const start = source.tell() - 1;
      let capture = true;
      let atomic = false;
      let name: string | null = null;
      let add = 0;
      let del = 0;
      if (source.match('?')) {
        const char = source.get();
        if (char === null) throw source.error('unexpected end of pattern');
        if (char === 'P') {
          if (source.match('<')) {
            name = source.getuntil('>', 'group name');
            source.checkgroupname(name, 1);
          } else if (source.match('=')) {
            const ref = source.getuntil(')', 'group name');
            source.checkgroupname(ref, 1);
            const gid = state.groupdict.get(ref);
            const len = [...ref].length + 1;
            if (gid === undefined) throw source.error(`unknown group name ${pyRepr(ref)}`, len);
            if (!state.checkgroup(gid)) throw source.error('cannot refer to an open group', len);
            state.checklookbehindgroup(gid, source);
            sub.push({ op: 'groupref', gid });
            continue;
          } else {
            const c = source.get();
            if (c === null) throw source.error('unexpected end of pattern');
            throw source.error(`unknown extension ?P${c}`, [...c].length + 2);
          }
        } else if (char === ':') capture = false;
        else if (char === '#') {
          for (;;) {
            if (source.next === null) throw source.error('missing ), unterminated comment', source.tell() - start);
            if (source.get() === ')') break;
          }
          continue;
        } else if ('=!<'.includes(char)) {
          let kind = char;
          let behind = false;
          let outerLookbehind: number | null = null;
          if (kind === '<') {
            const c = source.get();
            if (c === null) throw source.error('unexpected end of pattern');
            if (!'=!'.includes(c)) throw source.error(`unknown extension ?<${c}`, [...c].length + 2);
            kind = c;
            behind = true;
            outerLookbehind = state.lookbehindgroups;
            if (outerLookbehind === null) state.lookbehindgroups = state.groups;
          }
          const p = parseSub(source, state, verbose, nested + 1);
          if (behind && outerLookbehind === null) state.lookbehindgroups = null;
          if (!source.match(')')) throw source.error('missing ), unterminated subpattern', source.tell() - start);
          sub.push({ op: 'assert', behind, negative: kind === '!', p });
          continue;
        } else if (char === '(') {
          // Parsed for Python's refusals; JavaScript has no conditional, so an accepted one is unsupported.
          const condname = source.getuntil(')', 'group name');
          const len = [...condname].length + 1;
          if (/^[\p{XID_Start}_]\p{XID_Continue}*$/u.test(condname)) {
            if (!state.groupdict.has(condname)) throw source.error(`unknown group name ${pyRepr(condname)}`, len);
          } else {
            if (!/^\d+$/.test(condname)) throw source.error(`bad character in group name ${pyRepr(condname)}`, len);
            if (Number(condname) === 0) throw source.error('bad group number', len);
          }
          parseSeq(source, state, verbose, nested + 1);
          if (source.match('|')) {
            parseSeq(source, state, verbose, nested + 1);
            if (source.next === '|') throw source.error('conditional backref with more than two branches');
          }
          if (!source.match(')')) throw source.error('missing ), unterminated subpattern', source.tell() - start);
          sub.push({ op: 'conditional' });
          continue;
        } else if (char === '>') {
          capture = false;
          atomic = true;
        } else if (char in FLAGS || char === '-') {
          const flags = parseFlags(source, state, char);
          if (flags === null) {
            if (!first || sub.length) throw source.error('global flags not at the start of the expression', source.tell() - start);
            verbose = (state.flags & F_X) !== 0;
            continue;
          }
          [add, del] = flags;
          capture = false;
        } else {
          throw source.error(`unknown extension ?${char}`, [...char].length + 1);
        }
      }
      let group: number | null = null;
      if (capture) {
        try {
          group = state.opengroup(name);
        } catch (err) {
          throw source.error((err as Error).message, [...(name ?? '')].length + 1);
        }
      }
      const subVerbose = (verbose || (add & F_X) !== 0) && !(del & F_X);
      const p = parseSub(source, state, subVerbose, nested + 1);
      if (!source.match(')')) throw source.error('missing ), unterminated subpattern', source.tell() - start);
      if (group !== null) state.groupwidths[group] = width(p, state);
      sub.push(atomic ? { op: 'atomic', p } : { op: 'group', gid: group, add, del, p });
    } else if (self === '^') sub.push({ op: 'at', at: 'begin' });
    else if (self === '$') sub.push({ op: 'at', at: 'end' });
  }
  return sub;
}

/** re/_compiler.py's checks that come after parsing. */
function checkCompiled(p: Node[], state: State) {
  for (const n of p) {
    if (n.op === 'assert') {
      if (n.behind) {
        const [lo, hi] = width(n.p, state);
        if (lo !== hi) throw new PythonRegexError('re.error', 'look-behind requires fixed-width pattern');
      }
      checkCompiled(n.p, state);
    } else if (n.op === 'repeat') {
      if (state.flags & F_T) throw new UnsupportedRegexError('the template flag (?t) is not supported');
      checkCompiled(n.item, state);
    } else if (n.op === 'group' || n.op === 'atomic') checkCompiled(n.p, state);
    else if (n.op === 'branch') n.alts.forEach((a) => checkCompiled(a, state));
  }
}

// ---- Case folding as sre does it: lower() plus the extra equivalences of re/_casefix.py ----

const EXTRA_CASES: Map<number, number[]> = new Map(
  '69:131,73:17f,b5:3bc,131:69,17f:73,345:3b9/1fbe,390:1fd3,3b0:1fe3,3b2:3d0,3b5:3f5,3b8:3d1,3b9:345/1fbe,3ba:3f0,3bc:b5,3c0:3d6,3c1:3f1,3c2:3c3,3c3:3c2,3c6:3d5,3d0:3b2,3d1:3b8,3d5:3c6,3d6:3c0,3f0:3ba,3f1:3c1,3f5:3b5,432:1c80,434:1c81,43e:1c82,441:1c83,442:1c84/1c85,44a:1c86,463:1c87,1c80:432,1c81:434,1c82:43e,1c83:441,1c84:442/1c85,1c85:442/1c84,1c86:44a,1c87:463,1c88:a64b,1e61:1e9b,1e9b:1e61,1fbe:345/3b9,1fd3:390,1fe3:3b0,a64b:1c88,fb05:fb06,fb06:fb05'
    .split(',')
    .map((pair) => {
      const [k, v] = pair.split(':');
      return [parseInt(k, 16), v.split('/').map((x) => parseInt(x, 16))];
    }),
);

/** Python's simple lowercase of one code point (the full mapping's first character, as CPython keeps it). */
const lowerOf = (c: number): number => String.fromCodePoint(c).toLowerCase().codePointAt(0)!;

let lowerPreimages: Map<number, number[]> | undefined;
/** lower → every code point that lowers to it (itself included when it is its own lowercase). */
function preimages(): Map<number, number[]> {
  if (lowerPreimages) return lowerPreimages;
  const map = new Map<number, number[]>();
  const changesWhenLowercased = /\p{Changes_When_Lowercased}/u;
  for (let block = 0; block < 0x1100; block++) {
    if (block >= 0xd8 && block < 0xe0) continue; // surrogates
    const codes = Array.from({ length: 256 }, (_, i) => block * 256 + i);
    // One native test per block of 256: only a few dozen blocks hold a cased letter at all.
    if (!changesWhenLowercased.test(String.fromCodePoint(...codes))) continue;
    for (const c of codes) {
      const l = lowerOf(c);
      if (l === c) continue;
      const list = map.get(l) ?? (lowerOf(l) === l ? [l] : []);
      list.push(c);
      map.set(l, list);
    }
  }
  lowerPreimages = map;
  return map;
}
const lowerClass = (l: number): number[] => preimages().get(l) ?? (lowerOf(l) === l ? [l] : []);

/** Every code point `ch` with lower(ch) equal to lower(c) or one of its extra equivalents. */
function unicodeCaseVariants(c: number): number[] {
  const l = lowerOf(c);
  const out = new Set<number>([c]);
  for (const t of [l, ...(EXTRA_CASES.get(l) ?? [])]) for (const x of lowerClass(t)) out.add(x);
  return [...out];
}

const asciiCaseVariants = (c: number): number[] => ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ? [c, c ^ 0x20] : [c]);

/** The code points outside [lo, hi] that ignore-case makes a range match. */
function rangeCaseExtras(lo: number, hi: number, ascii: boolean): number[] {
  const out: number[] = [];
  const inRange = (x: number) => x >= lo && x <= hi;
  if (ascii) {
    for (let c = Math.max(lo, 0x41); c <= Math.min(hi, 0x7a); c++) for (const v of asciiCaseVariants(c)) if (!inRange(v)) out.push(v);
    return out;
  }
  const lowers = new Set<number>([...preimages().keys(), ...EXTRA_CASES.keys()]);
  for (const l of lowers) {
    if (!lowerClass(l).some(inRange)) continue;
    for (const t of [l, ...(EXTRA_CASES.get(l) ?? [])]) for (const x of lowerClass(t)) if (!inRange(x)) out.push(x);
  }
  return out;
}

// ---- Emission ----

const UNICODE_SPACE = '\\t-\\r\\u{1c}-\\u{20}\\u{85}\\u{a0}\\u{1680}\\u{2000}-\\u{200a}\\u{2028}\\u{2029}\\u{202f}\\u{205f}\\u{3000}';
const UNICODE_WORD = '\\p{L}\\p{N}_';
const ASCII_WORD = 'a-zA-Z0-9_';

const cp = (c: number): string => (/^[A-Za-z0-9]$/.test(String.fromCodePoint(c)) ? String.fromCodePoint(c) : `\\u{${c.toString(16)}}`);

/** A class body (for the `v` flag) matching one category in the given mode. */
function categoryClass(cat: Category, ascii: boolean): string {
  const positive = { d: ascii ? '0-9' : '\\p{Nd}', s: ascii ? '\\t-\\r\\u{20}' : UNICODE_SPACE, w: ascii ? ASCII_WORD : UNICODE_WORD }[
    cat.toLowerCase() as 'd' | 's' | 'w'
  ];
  return cat === cat.toLowerCase() ? `[${positive}]` : `[^${positive}]`;
}

interface Ctx {
  flags: number;
}

class Emitter {
  private jsGroups = 0;
  private readonly groupMap = new Map<number, number>();
  needsIgnoreCaseFlag = false;
  constructor(private readonly uniformIgnoreCase: boolean) {}

  seq(p: Node[], ctx: Ctx): string {
    return p.map((n) => this.node(n, ctx)).join('');
  }

  private chars(codes: number[], ctx: Ctx): string[] {
    if (!(ctx.flags & F_I)) return codes.map(cp);
    const ascii = (ctx.flags & F_A) !== 0;
    return [...new Set(codes.flatMap((c) => (ascii ? asciiCaseVariants(c) : unicodeCaseVariants(c))))].map(cp);
  }

  private set(items: SetItem[], negate: boolean, ctx: Ctx): string {
    const ascii = (ctx.flags & F_A) !== 0;
    const parts: string[] = [];
    for (const item of items) {
      if (item.t === 'lit') parts.push(...this.chars([item.c], ctx));
      else if (item.t === 'range') {
        parts.push(`${cp(item.lo)}-${cp(item.hi)}`);
        if (ctx.flags & F_I) parts.push(...rangeCaseExtras(item.lo, item.hi, ascii).map(cp));
      } else parts.push(categoryClass(item.cat, ascii));
    }
    return `[${negate ? '^' : ''}${parts.join('')}]`;
  }

  private word(ctx: Ctx) {
    return categoryClass('w', (ctx.flags & F_A) !== 0);
  }

  node(n: Node, ctx: Ctx): string {
    switch (n.op) {
      case 'lit': {
        const cs = this.chars([n.c], ctx);
        return cs.length === 1 ? cs[0] : `[${cs.join('')}]`;
      }
      case 'notlit':
        return `[^${this.chars([n.c], ctx).join('')}]`;
      case 'in':
        return this.set(n.items, n.negate, ctx);
      case 'any':
        return ctx.flags & F_S ? '[\\s\\S]' : '[^\\n]';
      case 'at': {
        const multiline = (ctx.flags & F_M) !== 0;
        const w = this.word(ctx);
        switch (n.at) {
          case 'begin':
            return multiline ? '(?<![^\\n])' : '^';
          case 'end':
            return multiline ? '(?![^\\n])' : '(?=\\n?$)';
          case 'beginString':
            return '^';
          case 'endString':
            return '$';
          case 'boundary':
            return `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
          case 'nonBoundary':
            // sre's \B never matches in an empty string.
            return `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w})(?!^$))`;
        }
        break;
      }
      case 'repeat': {
        const quant = n.max === MAXREPEAT ? `{${n.min},}` : `{${n.min},${n.max}}`;
        if (n.kind === 'possessive') {
          const helper = ++this.jsGroups;
          return `(?=((?:${this.seq(n.item, ctx)})${quant}))(?:\\${helper})`;
        }
        return `(?:${this.seq(n.item, ctx)})${quant}${n.kind === 'min' ? '?' : ''}`;
      }
      case 'group': {
        const inner: Ctx = { flags: combineFlags(ctx.flags, n.add, n.del) };
        if (n.gid === null) return `(?:${this.seq(n.p, inner)})`;
        const js = ++this.jsGroups;
        const body = this.seq(n.p, inner);
        this.groupMap.set(n.gid, js);
        return `(${body})`;
      }
      case 'atomic': {
        const helper = ++this.jsGroups;
        return `(?=(${this.seq(n.p, ctx)}))(?:\\${helper})`;
      }
      case 'branch':
        return `(?:${n.alts.map((a) => this.seq(a, ctx)).join('|')})`;
      case 'assert':
        return `(?${n.behind ? '<' : ''}${n.negative ? '!' : '='}${this.seq(n.p, ctx)})`;
      case 'groupref':
        if (ctx.flags & F_I) {
          if (!this.uniformIgnoreCase) throw new UnsupportedRegexError('a backreference under a scoped ignore-case flag is not supported');
          this.needsIgnoreCaseFlag = true;
        }
        return `(?:\\${this.groupMap.get(n.gid)})`;
      case 'conditional':
        throw new UnsupportedRegexError('conditional groups (?(group)yes|no) are not supported');
    }
    return '';
  }
}

function combineFlags(flags: number, add: number, del: number): number {
  if (add & TYPE_FLAGS) flags &= ~TYPE_FLAGS;
  return (flags | add) & ~del;
}

function togglesIgnoreCase(p: Node[]): boolean {
  return p.some((n) => {
    if (n.op === 'group') return (n.add & F_I) !== 0 || (n.del & F_I) !== 0 || togglesIgnoreCase(n.p);
    if (n.op === 'atomic' || n.op === 'assert') return togglesIgnoreCase(n.p);
    if (n.op === 'repeat') return togglesIgnoreCase(n.item);
    if (n.op === 'branch') return n.alts.some(togglesIgnoreCase);
    return false;
  });
}

/**
 * The RegExp that behaves as Python's `re.compile(pattern)` does under `re.search`. Throws
 * PythonRegexError where Python refuses the pattern (the same type and message), and
 * UnsupportedRegexError for what Python accepts and no JavaScript RegExp can say.
 */
export function compilePythonRegex(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  const chars = [...pattern];
  const source = new Tokenizer(chars);
  const state = new State();
  const p = parseSub(source, state, false, 0);
  let flags = state.flags;
  if (!(flags & F_A)) flags |= F_U;
  else if (flags & F_U) throw new PythonRegexError('ValueError', 'ASCII and UNICODE flags are incompatible');
  if (source.next !== null) throw source.error('unbalanced parenthesis');
  checkCompiled(p, state);
  const emitter = new Emitter((flags & F_I) !== 0 && !togglesIgnoreCase(p));
  const body = emitter.seq(p, { flags });
  // Anchored with a lazy prefix of whole code points: left to itself, V8 also tries to match
  // between the two halves of a surrogate pair, where Python has no position.
  const regex = new RegExp(`^[\\s\\S]*?(?:${body})`, emitter.needsIgnoreCaseFlag ? 'iv' : 'v');
  if (cache.size > 500) cache.clear();
  cache.set(pattern, regex);
  return regex;
}

const cache = new Map<string, RegExp>();

/** re.search(pattern, text) is not None. */
export function pythonSearch(pattern: string, text: string): boolean {
  return compilePythonRegex(pattern).test(text);
}
