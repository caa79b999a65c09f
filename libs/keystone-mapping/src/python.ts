/**
 * The few Python behaviours Keystone's mapping engine leans on, reproduced so results match it:
 * str.format with positional fields, repr() of lists and strings, and ast.literal_eval.
 */

import { isPythonPrintable } from './python-printable';

export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/** Python's repr() for the values a direct mapping can hold (strings and lists of strings). */
export function pyRepr(value: PyValue): string {
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
      .join(', ')}}`;
  return reprString(value);
}

/** str.__repr__: quotes, backslash escapes, and every character Python 3.11 finds non-printable as \\x, \\u or \\U. */
function reprString(s: string): string {
  // Python picks single quotes unless the text has a single quote and no double quote.
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code < 0x7f || isPythonPrintable(code)) out += ch;
    else if (code <= 0xff) out += `\\x${hex(code, 2)}`;
    else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return out + quote;
}

const hex = (code: number, width: number) => code.toString(16).padStart(width, '0');

export class FormatIndexError extends Error {}

/**
 * str.format(*args) for positional fields: `{0}`, `{}` (automatic numbering), `{{`, `}}`.
 * A field past the arguments throws FormatIndexError (Keystone's DirectMappingError).
 */
export function pyFormat(template: string, args: PyValue[]): string {
  let out = '';
  let auto = 0;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch === '{') {
      if (template[i + 1] === '{') {
        out += '{';
        i++;
        continue;
      }
      const end = template.indexOf('}', i);
      if (end < 0) throw new SyntaxError(`Single '{' encountered in format string`);
      const field = template.slice(i + 1, end);
      const index = field === '' ? auto++ : /^\d+$/.test(field) ? Number(field) : NaN;
      if (Number.isNaN(index)) throw new SyntaxError(`unsupported format field {${field}}`);
      if (index >= args.length) throw new FormatIndexError(`Replacement index ${index} out of range`);
      const value = args[index];
      out += typeof value === 'string' ? value : pyRepr(value);
      i = end;
    } else if (ch === '}') {
      if (template[i + 1] !== '}') throw new SyntaxError(`Single '}' encountered in format string`);
      out += '}';
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * ast.literal_eval for what mapping rules produce: Python lists, strings, numbers, True/False/None,
 * dicts and tuples. Returns undefined where Python raises ValueError/SyntaxError.
 */
export function literalEval(text: string): PyValue | { tuple: PyValue[] } | undefined {
  const p = new LiteralParser(text);
  try {
    p.skipSpace();
    const value = p.value();
    p.skipSpace();
    return p.atEnd() ? value : undefined;
  } catch {
    return undefined;
  }
}

class LiteralParser {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd() {
    return this.i >= this.s.length;
  }

  skipSpace() {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  value(): PyValue {
    this.skipSpace();
    const ch = this.s[this.i];
    if (ch === '[') return this.sequence('[', ']');
    if (ch === '(') return { tuple: this.sequence('(', ')') };
    if (ch === '{') return this.dict();
    if (ch === "'" || ch === '"') return this.strings();
    const word = /^(True|False|None)\b/.exec(this.s.slice(this.i));
    if (word) {
      this.i += word[1].length;
      return word[1] === 'True' ? true : word[1] === 'False' ? false : null;
    }
    const num = /^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?/.exec(this.s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      return Number(num[0]);
    }
    throw new SyntaxError('not a literal');
  }

  private sequence(open: string, close: string): PyValue[] {
    this.i++;
    const items: PyValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.s[this.i] === close) {
        this.i++;
        return items;
      }
      items.push(this.value());
      this.skipSpace();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) throw new SyntaxError(`expected , or ${close}`);
    }
  }

  private dict(): { [key: string]: PyValue } {
    this.i++;
    const out: { [key: string]: PyValue } = {};
    for (;;) {
      this.skipSpace();
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      const key = this.value();
      this.skipSpace();
      if (this.s[this.i++] !== ':') throw new SyntaxError('expected :');
      out[String(key)] = this.value();
      this.skipSpace();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') throw new SyntaxError('expected , or }');
    }
  }

  /** Adjacent string literals concatenate, as in Python. */
  private strings(): string {
    let out = this.string();
    for (;;) {
      const save = this.i;
      this.skipSpace();
      if (this.s[this.i] === "'" || this.s[this.i] === '"') out += this.string();
      else {
        this.i = save;
        return out;
      }
    }
  }

  private string(): string {
    const quote = this.s[this.i++];
    let out = '';
    while (this.i < this.s.length) {
      const ch = this.s[this.i++];
      if (ch === quote) return out;
      if (ch === '\n') throw new SyntaxError('newline in string');
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const esc = this.s[this.i++];
      const simple: Record<string, string> = {
        n: '\n',
        t: '\t',
        r: '\r',
        '\\': '\\',
        "'": "'",
        '"': '"',
        a: '\x07',
        b: '\b',
        f: '\f',
        v: '\v',
        '0': '\0',
      };
      if (esc === 'x') {
        out += String.fromCharCode(parseInt(this.s.slice(this.i, this.i + 2), 16));
        this.i += 2;
      } else if (esc === 'u') {
        out += String.fromCharCode(parseInt(this.s.slice(this.i, this.i + 4), 16));
        this.i += 4;
      } else if (esc === 'U') {
        out += String.fromCodePoint(parseInt(this.s.slice(this.i, this.i + 8), 16));
        this.i += 8;
      } else if (esc in simple) out += simple[esc];
      else if (esc === '\n') continue;
      else out += `\\${esc}`;
    }
    throw new SyntaxError('unterminated string');
  }
}
