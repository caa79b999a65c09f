import fc from 'fast-check';
import { Endpoint, Schema, routeName } from './endpoints';
import {
  CONTENT_TYPES,
  RawNumber,
  encodeUrlPart,
  hostileJson,
  hostileNumber,
  hostileText,
  malformedJson,
  nested,
  rawUrlPart,
  toJson,
} from './hostile-values';

export type Principal = 'admin' | 'reader' | 'hook' | 'none' | 'bogus';

/** One generated request, everything encoded as it goes on the wire. */
export interface FuzzRequest {
  route: string;
  method: Endpoint['method'];
  url: string;
  principal: Principal;
  /** The Authorization header of a bogus principal. */
  bogusAuthorization?: string;
  /** A Cookie header (the browser routes read their session and preferences from it). */
  cookie?: string;
  contentType?: string;
  body?: string;
  /** What makes the refusal certain (the refused phase); undefined in the free phase. */
  poison?: string;
}

/** What the fixture put in the database: path values and strings that reach real rows. */
export interface KnownValues {
  path: Record<string, string[]>;
  text: string[];
  adminToken: string;
  /** Who sends requests, weighted by repetition (the roles the service has, none, a bogus token). */
  principals: Principal[];
  /** Cookies the service reads: sent now and then with hostile values. */
  cookies: string[];
  /** Bodies the route accepts, per route name (a form's as an object of strings): mutated, they get past validation. */
  bodies: Record<string, unknown[]>;
}

interface Draft {
  ep: Endpoint;
  principal: Principal;
  bogusAuthorization?: string;
  cookie: string | null;
  pathValues: string[];
  query: string[];
  body?: { contentType: string; json?: unknown; form?: Record<string, string>; text?: string };
}

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length];
/** obj[key] = value as an own property, also for "__proto__" (which plain assignment would take as the prototype). */
const setOwn = (obj: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
const enc = (s: string, max = 2000) => encodeUrlPart(s.slice(0, max));
const numberText = (n: number | RawNumber) => (n instanceof RawNumber ? n.token : String(n));

function bogusAuthorization(known: KnownValues): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      'Bearer ',
      'Bearer',
      'Bearer x',
      'Basic YWRtaW46YWRtaW4=',
      "Bearer ' OR '1'='1",
      'Token abc',
      'Bearer a b c',
      `Bearer ${known.adminToken}x`,
      `Bearer ${known.adminToken.slice(0, -1)}`,
      `Bearer ${'a'.repeat(4000)}`,
    ),
    fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }).map((s) => `Bearer ${s}`),
  );
}

function cookieHeader(known: KnownValues): fc.Arbitrary<string> {
  const value = fc.oneof(
    hostileText.map((s) => enc(s, 500)),
    rawUrlPart,
    fc.constantFrom('', '"quoted"', 'a;b', 'x'.repeat(64), '%E0%A4%A'),
  );
  return fc
    .array(fc.tuple(fc.constantFrom(...known.cookies, 'x'), value), { minLength: 1, maxLength: 3 })
    .map((pairs) => pairs.map(([n, v]) => `${n}=${v}`).join('; '));
}

function pathValue(name: string, known: KnownValues): fc.Arbitrary<string> {
  const knownValues = known.path[name] ?? [];
  return fc.oneof(
    { weight: knownValues.length ? 6 : 0, arbitrary: fc.constantFrom(...(knownValues.length ? knownValues : ['x'])).map((v) => enc(v)) },
    { weight: 3, arbitrary: hostileText.map((s) => enc(s)) },
    { weight: 1, arbitrary: rawUrlPart },
    { weight: 1, arbitrary: hostileNumber.map((n) => enc(numberText(n))) },
  );
}

function queryValue(type: string, known: KnownValues): fc.Arbitrary<string> {
  const typed =
    type === 'boolean'
      ? fc.constantFrom('true', 'false', '', 'TRUE', 'yes', '1', '0', 'on', 'null', 'tru')
      : type === 'number' || type === 'integer'
        ? fc.oneof(
            fc.integer({ min: 0, max: 200 }).map(String),
            fc.constantFrom('-1', '0', '1e309', '1.5', '0x10', 'NaN', 'Infinity', ' 1', '99999999999999999999', ''),
          )
        : fc.constantFrom(
            ...known.text,
            '2024-01-01',
            '2024-02-30T25:00:00Z',
            'https://evil.example/',
            '//evil.example',
            'javascript:alert(1)',
          );
  return fc.oneof({ weight: 3, arbitrary: typed.map((v) => enc(v)) }, { weight: 2, arbitrary: hostileText.map((s) => enc(s)) }, rawUrlPart);
}

function queryPairs(ep: Endpoint, known: KnownValues): fc.Arbitrary<string[]> {
  if (!ep.query.length) return fc.constant([]);
  return fc
    .tuple(
      ...ep.query.map((q) =>
        fc.option(
          fc.oneof(
            { weight: 5, arbitrary: queryValue(q.type, known).map((v) => `${q.name}=${v}`) },
            { weight: 1, arbitrary: fc.constant(q.name) },
          ),
          { freq: 2 },
        ),
      ),
    )
    .map((pairs) => pairs.filter((p): p is string => p !== null));
}

/** A value of the documented type (often one that names a real row), or now and then anything. */
function fromSchema(schema: Schema | undefined, known: KnownValues, depth = 0): fc.Arbitrary<unknown> {
  const typed = (): fc.Arbitrary<unknown> => {
    if (!schema || depth > 4) return hostileJson;
    if (schema.properties && Object.keys(schema.properties).length) {
      const props = Object.entries(schema.properties).map(([k, s]) => [k, fromSchema(s, known, depth + 1)] as const);
      return fc.record(Object.fromEntries(props), { requiredKeys: schema.required ?? [] });
    }
    if (schema.example !== undefined) return fc.oneof(fc.constant(schema.example), mutateLeaf(schema.example));
    switch (schema.type) {
      case 'string':
        return fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...known.text) }, { weight: 2, arbitrary: hostileText });
      case 'number':
      case 'integer':
        return fc.oneof({ weight: 2, arbitrary: fc.integer({ min: 0, max: 1000 }) }, { weight: 1, arbitrary: hostileNumber });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.oneof(
          { weight: 5, arbitrary: fc.array(fromSchema(schema.items, known, depth + 1), { maxLength: 4 }) },
          { weight: 1, arbitrary: fc.integer({ min: 1000, max: 5000 }).map((n) => Array.from({ length: n }, (_, i) => `x${i}`)) },
        );
      default:
        return fc.dictionary(hostileText, hostileJson, { maxKeys: 4 });
    }
  };
  return fc.oneof({ weight: 6, arbitrary: typed() }, { weight: 1, arbitrary: hostileJson });
}

/** The example with one leaf replaced by a hostile value. */
function mutateLeaf(example: unknown): fc.Arbitrary<unknown> {
  return fc.tuple(fc.nat(), hostileJson).map(([n, replacement]) => {
    const copy = structuredClone(example);
    const leaves: Array<[Record<string, unknown>, string]> = [];
    const walk = (v: unknown) => {
      if (v === null || typeof v !== 'object') return;
      for (const [k, child] of Object.entries(v)) {
        if (child !== null && typeof child === 'object') walk(child);
        else leaves.push([v as Record<string, unknown>, k]);
      }
    };
    walk(copy);
    if (!leaves.length) return replacement;
    const [parent, key] = pick(leaves, n);
    setOwn(parent, key, replacement);
    return copy;
  });
}

const MAC = fc
  .array(fc.integer({ min: 0, max: 255 }), { minLength: 5, maxLength: 5 })
  .map((b) => ['02', ...b.map((x) => x.toString(16).padStart(2, '0'))].join(':'));

function uploadLines(known: KnownValues): fc.Arbitrary<string[]> {
  return fc.array(
    fc.oneof(
      { weight: 3, arbitrary: MAC },
      fc.constantFrom(...known.text),
      hostileText.map((s) => s.slice(0, 300)),
    ),
    {
      maxLength: 8,
    },
  );
}

function uploadBody(lines: string[], contentType: string): string {
  if (contentType === 'application/json') return toJson(lines);
  if (contentType === 'text/csv') return ['mac,hostname', ...lines].join('\n');
  return lines.join('\n');
}

/** The body the route expects (with hostile values in it), as its own content type. */
function naturalBody(ep: Endpoint, known: KnownValues): fc.Arbitrary<Draft['body']> {
  const body = ep.body;
  if (!body) return fc.constant(undefined);
  if (body.kind === 'stream')
    return fc
      .tuple(uploadLines(known), fc.constantFrom('text/plain', 'text/csv', 'application/json'))
      .map(([lines, contentType]) => ({ contentType, text: uploadBody(lines, contentType) }));
  const examples = known.bodies[routeName(ep)] ?? [];
  if (examples.length) {
    const contentType = body.kind === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
    const asBody = (value: unknown): NonNullable<Draft['body']> =>
      body.kind === 'form' ? { contentType, form: formOf(value) } : { contentType, json: value };
    return fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(...examples).map(asBody) },
      { weight: 4, arbitrary: fc.constantFrom(...examples).chain((e) => mutateLeaf(e).map(asBody)) },
      { weight: 1, arbitrary: naturalFromSchema(ep, known) },
    );
  }
  return naturalFromSchema(ep, known);
}

/** A form's fields as strings (a hostile non-string value becomes its JSON text). */
function formOf(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { value: toJson(value) };
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : toJson(v)]));
}

function naturalFromSchema(ep: Endpoint, known: KnownValues): fc.Arbitrary<Draft['body']> {
  const body = ep.body!;
  if (body.kind === 'form') {
    const props = Object.keys(body.schema?.properties ?? {});
    return fc.tuple(...props.map(() => fc.option(fc.oneof(fc.constantFrom(...known.text), hostileText), { freq: 3 }))).map((values) => ({
      contentType: 'application/x-www-form-urlencoded',
      form: Object.fromEntries(props.flatMap((p, i) => (values[i] === null ? [] : [[p, values[i]!]]))),
    }));
  }
  return fromSchema(body.schema, known).map((json) => ({ contentType: 'application/json', json }));
}

/** Anything a hostile client may send as a body, whatever the route reads. */
function anyBody(ep: Endpoint, known: KnownValues): fc.Arbitrary<Draft['body']> {
  return fc.oneof(
    { weight: ep.body ? 8 : 0, arbitrary: naturalBody(ep, known) },
    { weight: ep.body ? 1 : 6, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: hostileJson.map((json) => ({ contentType: 'application/json', json })) },
    { weight: 1, arbitrary: fc.oneof(malformedJson, fc.constant('\ufeff{}')).map((text) => ({ contentType: 'application/json', text })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 64 }), fc.constantFrom('object', 'array') as fc.Arbitrary<'object' | 'array'>)
        .map(([d, k]) => ({ contentType: 'application/json', text: nested(d, k) })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(naturalBody(ep, known), fc.constantFrom(...CONTENT_TYPES)).map(([b, contentType]) => ({
        contentType,
        text: b ? bodyText(b) : 'x=1',
      })),
    },
    { weight: 1, arbitrary: hostileText.map((text) => ({ contentType: 'text/plain', text })) },
  );
}

function bodyText(b: NonNullable<Draft['body']>): string {
  if (b.text !== undefined) return b.text;
  if (b.form)
    return Object.entries(b.form)
      .map(([k, v]) => `${encodeUrlPart(k)}=${encodeUrlPart(v)}`)
      .join('&');
  return toJson(b.json);
}

function draftOf(ep: Endpoint, known: KnownValues, body: fc.Arbitrary<Draft['body']>): fc.Arbitrary<Draft> {
  return fc
    .record({
      principal: fc.constantFrom(...known.principals),
      bogusAuthorization: bogusAuthorization(known),
      cookie: fc.option(cookieHeader(known), { freq: 3 }),
      pathValues: ep.pathParams.length ? fc.tuple(...ep.pathParams.map((p) => pathValue(p, known))) : fc.constant([] as string[]),
      query: queryPairs(ep, known),
      body,
    })
    .map((d) => ({ ep, ...d }));
}

export function finalize(d: Draft, poison?: string): FuzzRequest {
  let i = 0;
  const path = d.ep.path.replace(/\{[^}]+\}/g, () => d.pathValues[i++]);
  return {
    route: routeName(d.ep),
    method: d.ep.method,
    url: d.query.length ? `${path}?${d.query.join('&')}` : path,
    principal: d.principal,
    bogusAuthorization: d.principal === 'bogus' ? d.bogusAuthorization : undefined,
    cookie: d.cookie ?? undefined,
    contentType: d.body?.contentType,
    body: d.body ? bodyText(d.body) : undefined,
    poison,
  };
}

/** Free phase: anything, sent to the route (or to its path with a method it does not have). */
export function freeRequest(ep: Endpoint, known: KnownValues): fc.Arbitrary<FuzzRequest> {
  return draftOf(ep, known, anyBody(ep, known)).map((d) => finalize(d));
}

type Poison = (d: Draft) => Draft;

/** Refused by the JSON body parser, before routing: nested past the limit, or not JSON at all. */
function bodyParserPoisons(): Array<[string, fc.Arbitrary<Poison>]> {
  return [
    [
      'deep-json',
      fc
        .tuple(fc.integer({ min: 65, max: 5000 }), fc.constantFrom('object', 'array') as fc.Arbitrary<'object' | 'array'>, fc.boolean())
        .map(([depth, kind, wrapped]) => (d: Draft) => ({
          ...d,
          body: { contentType: 'application/json', text: wrapped ? `{"name": ${nested(depth, kind)}}` : nested(depth, kind) },
        })),
    ],
    ['malformed-json', malformedJson.map((text) => (d: Draft) => ({ ...d, body: { contentType: 'application/json', text } }))],
  ];
}

/** Puts `value` (under `key`, or a new key) into one of the JSON body's objects, making the body an object first. */
function inject(d: Draft, where: number, key: string | undefined, value: unknown): Draft {
  const json = d.body?.json !== null && typeof d.body?.json === 'object' ? structuredClone(d.body.json) : {};
  const containers: Array<Record<string, unknown> | unknown[]> = [];
  const walk = (v: unknown) => {
    if (v === null || typeof v !== 'object' || v instanceof RawNumber) return;
    containers.push(v as Record<string, unknown>);
    for (const child of Object.values(v)) walk(child);
  };
  walk(json);
  const target = pick(containers, where);
  // Into a list as an element; with a key, as an object holding it (the key may be the poison).
  if (Array.isArray(target)) target.push(key === undefined ? value : setOwn({}, key, value));
  else setOwn(target, key ?? Object.keys(target)[where % Math.max(1, Object.keys(target).length)] ?? 'x', value);
  return { ...d, body: { contentType: 'application/json', json } };
}

const WRONG_TYPE: Record<string, unknown[]> = {
  string: [{ a: 1 }, ['a'], 12, true],
  number: [{ a: 1 }, [1], '12', true],
  integer: [{ a: 1 }, [1], '12', true],
  boolean: [{ a: 1 }, [true], 'true', 1],
  array: [{ a: 1 }, 'a', 12],
  object: [12, true, 'a'],
};

/** Each way this route's request is certainly refused, as a change to a draft. */
function poisonsFor(ep: Endpoint, known: KnownValues): Array<[string, fc.Arbitrary<Poison>]> {
  const out: Array<[string, fc.Arbitrary<Poison>]> = [];
  const declared = new Set(ep.query.map((q) => q.name));
  const text = hostileText.map((s) => s.slice(0, 200));
  if (ep.pathParams.length)
    out.push([
      'nul-path',
      fc.tuple(fc.nat(), text, text).map(([i, a, b]) => (d: Draft) => {
        const pathValues = [...d.pathValues];
        pathValues[i % pathValues.length] = `${enc(a)}%00${enc(b)}`;
        return { ...d, pathValues };
      }),
    ]);
  if (ep.outsideNest) return out.concat(bodyParserPoisons());
  out.push([
    'unknown-query',
    fc
      .oneof(fc.constantFrom('x', 'dryrun', 'DRYRUN', 'Force', 'limit[]', 'a[b]', '__proto__', 'apply_now'), text)
      .filter((n) => n.length > 0 && !declared.has(n) && !declared.has(decodeURIComponentSafe(enc(n))))
      .map((name) => (d: Draft) => ({ ...d, query: [...d.query, `${enc(name)}=1`] })),
  ]);
  if (ep.query.length) {
    out.push([
      'nul-query',
      fc.tuple(fc.nat(), text).map(([i, a]) => (d: Draft) => {
        const name = pick(ep.query, i).name;
        return { ...d, query: [...d.query.filter((p) => p.split('=')[0] !== name), `${name}=${enc(a)}%00`] };
      }),
    ]);
    out.push([
      'repeated-query',
      fc.tuple(fc.nat(), queryValue('string', known)).map(([i, v]) => (d: Draft) => {
        const name = pick(ep.query, i).name;
        return { ...d, query: [...d.query.filter((p) => p.split('=')[0] !== name), `${name}=${v}`, `${name}=${v}`] };
      }),
    ]);
  }
  if (ep.body?.kind !== 'stream') out.push(...bodyParserPoisons());
  if (ep.body?.kind === 'json') {
    out.push([
      'nul-body',
      fc.tuple(fc.nat(), fc.option(text), text).map(
        ([w, key, a]) =>
          (d: Draft) =>
            inject(d, w, key ?? undefined, `${a}x\u0000`),
      ),
    ]);
    out.push([
      'nul-key',
      fc.tuple(fc.nat(), text).map(
        ([w, a]) =>
          (d: Draft) =>
            inject(d, w, `${a}\u0000`, 1),
      ),
    ]);
    out.push([
      'lone-surrogate',
      fc.tuple(fc.nat(), fc.option(text), text, fc.integer({ min: 0xd800, max: 0xdfff }), fc.boolean()).map(([w, key, a, unit, inKey]) => {
        const bad = `${a}x${String.fromCharCode(unit)}x`;
        return (d: Draft) => (inKey ? inject(d, w, bad, 1) : inject(d, w, key ?? undefined, bad));
      }),
    ]);
    const props = Object.entries(ep.body.schema?.properties ?? {});
    if (props.length) {
      const topLevel = (d: Draft) =>
        d.body?.json !== null && typeof d.body?.json === 'object' && !Array.isArray(d.body.json)
          ? { ...(d.body.json as Record<string, unknown>) }
          : {};
      out.push([
        'null-field',
        fc.nat().map((i) => (d: Draft) => ({
          ...d,
          body: { contentType: 'application/json', json: { ...topLevel(d), [pick(props, i)[0]]: null } },
        })),
      ]);
      out.push([
        'wrong-type',
        fc.tuple(fc.nat(), fc.nat()).map(([i, j]) => (d: Draft) => {
          const [name, schema] = pick(props, i);
          const wrong = pick(WRONG_TYPE[schema.properties ? 'object' : (schema.type ?? 'object')] ?? WRONG_TYPE.object, j);
          return { ...d, body: { contentType: 'application/json', json: { ...topLevel(d), [name]: wrong } } };
        }),
      ]);
      out.push([
        'unknown-field',
        text
          .filter((k) => !props.some(([p]) => p === k))
          .map((k) => (d: Draft) => ({
            ...d,
            body: { contentType: 'application/json', json: { ...topLevel(d), [k]: 1 } },
          })),
      ]);
    }
  }
  if (ep.body?.kind === 'form') {
    const props = Object.keys(ep.body.schema?.properties ?? {});
    out.push([
      'nul-form',
      fc.tuple(fc.nat(), text).map(([i, a]) => (d: Draft) => ({
        ...d,
        body: {
          contentType: 'application/x-www-form-urlencoded',
          form: { ...(d.body?.form ?? {}), [pick([...props, 'x'], i)]: `${a}\u0000` },
        },
      })),
    ]);
  }
  if (ep.body?.kind === 'stream') {
    out.push([
      'bad-upload-line',
      fc
        .tuple(uploadLines(known), fc.nat(), text, fc.constantFrom('text/plain', 'text/csv', 'application/json'))
        .map(([lines, at, junk, contentType]) => (d: Draft) => {
          const withBad = [...lines];
          withBad.splice(at % (lines.length + 1), 0, `not-a-mac-${junk.replace(/[\r\n]/g, '')}`);
          return { ...d, body: { contentType, text: uploadBody(withBad, contentType) } };
        }),
    ]);
    out.push([
      'malformed-json-upload',
      fc
        .constantFrom('[', '["02:00:00:00:00:01",', '{"a":1}', '[1,2]', '[["02:00:00:00:00:01"]]', '[null]')
        .map((text) => (d: Draft) => ({ ...d, body: { contentType: 'application/json', text } })),
    ]);
  }
  return out;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Refused phase: a request with at least one thing the service must refuse before it writes
 * (named in `poison`), hostile elsewhere too. Secured routes also get requests without a valid token.
 */
export function refusedRequest(ep: Endpoint, known: KnownValues): fc.Arbitrary<FuzzRequest> {
  const poisons = poisonsFor(ep, known);
  const contentPoisoned = fc
    .tuple(draftOf(ep, known, anyBody(ep, known)), fc.constantFrom(...poisons.map((p, i) => i)))
    .chain(([d, i]) => poisons[i][1].map((apply) => finalize(apply(d), poisons[i][0])));
  if (!ep.secured) return contentPoisoned;
  const unauthenticated = draftOf(ep, known, anyBody(ep, known)).chain((d) =>
    fc.constantFrom<Principal>('none', 'bogus').map((principal) => finalize({ ...d, principal }, 'no-valid-token')),
  );
  return fc.oneof({ weight: 4, arbitrary: contentPoisoned }, { weight: 1, arbitrary: unauthenticated });
}
