/**
 * Text a request may carry but PostgreSQL can't store or would store wrong: a NUL character
 * (refused in text and jsonb) and a lone UTF-16 surrogate (not Unicode; "\ud800" in JSON parses
 * to one, pg then writes U+FFFD or jsonb refuses it). Found here, at the edge, the reply can name
 * the field instead of a 500 from deep inside a query.
 */
export interface TextProblem {
  /** Where, e.g. `scope.networkIds[0]`; for a key, the path to that key. */
  field: string;
  problem: string;
}

const MAX_SHOWN = 100;
// With the u flag a paired surrogate is one astral code point; only a lone one is category Cs.
const LONE_SURROGATE = /\p{Cs}/u;

export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which can not be stored';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate, which is not Unicode';
  return null;
}

/** How a field is named in a reply: dotted names, [i] for elements, quoted odd keys, shortened. */
export function fieldPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const shown = key.length > MAX_SHOWN ? `${key.slice(0, MAX_SHOWN)}…` : key;
  if (/^[A-Za-z_$][\w$-]*$/.test(shown)) return parent ? `${parent}.${shown}` : shown;
  return `${parent}[${JSON.stringify(shown)}]`;
}

/**
 * The first string (value or object key) with a problem in a parsed request part (params, query,
 * a JSON body). Walks with an explicit stack: a hostile body must not exhaust the call stack.
 */
export function findTextProblem(value: unknown, root = ''): TextProblem | null {
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: root }];
  while (stack.length) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { field: path, problem };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: fieldPath(path, i) });
    } else if (v && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, inner] = entries[i];
        const keyProblem = textProblem(key);
        if (keyProblem) return { field: fieldPath(path, key), problem: `has a key that ${keyProblem}` };
        stack.push({ value: inner, path: fieldPath(path, key) });
      }
    }
  }
  return null;
}

/**
 * Refuses JSON nested deeper than `maxDepth` before it is parsed: parsing copes, but everything
 * after (validation, transformation, logging) recurses and a 40,000-level body overflows the
 * stack. Works on the raw bytes: JSON's structure is ASCII, and no byte of a multi-byte UTF-8
 * character is ASCII. Returns the byte offset where the limit is crossed, or -1.
 */
export function jsonDepthExceededAt(raw: Uint8Array, maxDepth: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}
