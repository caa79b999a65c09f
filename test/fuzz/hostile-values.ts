import fc from 'fast-check';

/** A JSON number token written as is (1e999, 30 digits): JSON.stringify can not produce them. */
export class RawNumber {
  constructor(readonly token: string) {}
}

/** JSON text of a generated value; lone surrogates come out as \udXXX escapes, NUL as \u0000. */
export function toJson(value: unknown): string {
  if (value instanceof RawNumber) return value.token;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

const SQL = [
  "' OR '1'='1",
  "'; DROP TABLE pools; --",
  "'; DELETE FROM api_tokens; --",
  '1; SELECT pg_sleep(5)--',
  "admin'--",
  '") OR 1=1 --',
  "'||(SELECT version())||'",
  '$1',
  '%',
  '_',
  '\\',
  "E'\\\\x00'",
];

const ODD = [
  '',
  ' ',
  '.',
  '..',
  '/',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e309',
  '{0}',
  '%s%n%x',
  '${jndi:ldap://x/a}',
  '<script>alert(1)</script>',
  ']]><!--',
  '\u202eevil',
  '\u200b',
  '\ufeff',
  '\uffff',
  '\ud83d\ude00',
  'İı',
  '\r\n',
  '\t',
  '\u0007\u001b[2J',
  '\u0085\u2028',
];

/** Any UTF-16 code unit: control characters, NUL and lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Text a hostile client sends: SQL, control characters, odd Unicode, NUL, lone surrogates, 100 KB. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SQL, ...ODD) },
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: codeUnit, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('a', 'é', '😀', '\u0001', "'", '\\'), fc.constantFrom(256, 4096, 100_000))
      .map(([c, n]) => c.repeat(Math.ceil(n / c.length))),
  },
);

/** Numbers a validator must refuse or bound: huge, negative, fractional, beyond double. */
export const hostileNumber: fc.Arbitrary<number | RawNumber> = fc.oneof(
  fc.constantFrom(0, -1, -0, 1, 0.5, -1.5, 2 ** 31, -(2 ** 31), 2 ** 53 + 2, 2 ** 63, 1e308, -1e308, 5e-324),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc
    .constantFrom('1e999', '-1e999', '123456789012345678901234567890', '-0.0', '1E+2', '0.0000000000000000000001')
    .map((t) => new RawNumber(t)),
);

/** Any JSON value, hostile at the leaves, a few levels deep. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileText,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileText, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Percent-encodes text for a URL the way a client would (a lone surrogate becomes U+FFFD's bytes). */
export function encodeUrlPart(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** Already-encoded URL parts a router must cope with: bad escapes, encoded slashes and dots, overlong UTF-8. */
export const rawUrlPart = fc.constantFrom('%', '%ZZ', '%E2%82', '%C0%AE', '%FF', '%2F', '%2e%2e', '..', '.', '%252F', '%00', 'a%00b');

/** JSON texts body-parser must refuse (or parse into something odd) without a 500. */
export const malformedJson = fc.constantFrom(
  '{',
  '{"a":',
  '[1,]',
  "{'a':1}",
  'nul',
  '{"a":1}}',
  'NaN',
  '01',
  '{"a":"\\u00"}',
  '{"a":"\\x41"}',
  '\u0000',
  '{"a" 1}',
  '"unterminated',
  '{"a":1,}',
  ']',
);

/** `{"a":{"a":...}}` or `[[...]]` nested `depth` levels. */
export function nested(depth: number, kind: 'object' | 'array'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/merge-patch+json',
  'text/plain',
  'text/csv',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'a/b/c',
  'application/octet-stream',
];
