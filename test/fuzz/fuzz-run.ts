import fc from 'fast-check';
import { Client } from 'pg';
import { Endpoint, Method, routeName } from './endpoints';
import { FuzzRequest, KnownValues, Principal, freeRequest, refusedRequest } from './fuzz-requests';
import type { TestApp } from '../support/nest-app';

/*
 * The fuzz suites (test/fuzz/*.e2e-spec.ts) take from the environment:
 *   FUZZ_SEED     the seed (default 20261130; the failure list names each request, the seed regenerates them all)
 *   FUZZ_RUNS     requests in the refused phase per service (default 1200; the free phase sends 80% of that)
 *   FUZZ_VERBOSE  1: status counts per route (how deep the requests get)
 *   FUZZ_LOG_LEVEL the services' log level (default fatal; error shows a 500's stack)
 */

/** One seed for every run: a failure names its request, and the same seed regenerates it. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261130);

/** A reply the route is allowed to give although it breaks the general rule, and why. */
export interface Allowance {
  route: string;
  why: string;
  accepts(res: Reply): boolean;
}

export interface Reply {
  status: number;
  contentType: string;
  body: unknown;
  text: string;
}

export interface FuzzTarget {
  service: string;
  t: TestApp;
  known: KnownValues;
  authorization: Partial<Record<'admin' | 'reader' | 'hook', string>>;
  /** 502/503 from a peer the fuzz runs without (Keystone, Neutron): per route, the codes allowed. */
  peerFailures: Record<string, string[]>;
  /** Replies outside the error shape that a standard requires (OAuth) or that a browser reads (HTML). */
  allowances: Allowance[];
}

/** Counts per status and every reply that broke a rule, with the exact request. */
export class FuzzLog {
  readonly statuses = new Map<number, number>();
  readonly poisons = new Map<string, number>();
  readonly routes = new Set<string>();
  /** Status counts per route, printed with FUZZ_VERBOSE=1 (to see how deep the requests get). */
  readonly byRoute = new Map<string, Map<number, number>>();
  readonly failures: string[] = [];
  /** Requests sent twice because the first had no reply (printed, so a trend shows). */
  readonly transportRetries: string[] = [];
  requests = 0;

  summary(service: string): string {
    const counts = [...this.statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
    const retried = this.transportRetries.length ? `; sent twice after no reply: ${this.transportRetries.join(' | ')}` : '';
    return `fuzz ${service}: ${this.requests} requests (seed ${FUZZ_SEED}, ${this.routes.size} routes), ${counts.join(', ')}${retried}`;
  }
}

export async function send(target: FuzzTarget, req: FuzzRequest): Promise<Reply> {
  let r = target.t.http[req.method](req.url);
  const auth =
    req.principal === 'none' ? undefined : req.principal === 'bogus' ? req.bogusAuthorization : target.authorization[req.principal];
  if (auth !== undefined) r = r.set('Authorization', auth);
  if (req.cookie !== undefined) r = r.set('Cookie', req.cookie);
  if (req.contentType !== undefined) r = r.set('Content-Type', req.contentType);
  if (req.body !== undefined) r = r.send(req.body);
  const res = await r.buffer(true).parse((response, done) => {
    const chunks: Buffer[] = [];
    response.on('data', (c: Buffer) => chunks.push(c));
    response.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
  });
  const text = res.body as unknown as string;
  const contentType = String(res.headers['content-type'] ?? '');
  let body: unknown = undefined;
  if (/json/.test(contentType)) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  return { status: res.status, contentType, body, text };
}

/** What is wrong with an error reply's shape, or null: exactly `{"error":{"code","message","details"}}`. */
export function shapeProblem(res: Reply): string | null {
  if (!/^application\/json/.test(res.contentType)) return `content-type ${res.contentType || '(none)'}, not JSON`;
  const body = res.body as { error?: Record<string, unknown> } | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'body is not a JSON object';
  if (Object.keys(body).join() !== 'error') return `top-level keys ${Object.keys(body).join(',')}`;
  const error = body.error;
  if (!error || typeof error !== 'object') return 'error is not an object';
  if (Object.keys(error).sort().join() !== 'code,details,message') return `error keys ${Object.keys(error).sort().join(',')}`;
  if (typeof error.code !== 'string' || !error.code) return 'error.code is not a non-empty string';
  if (typeof error.message !== 'string') return 'error.message is not a string';
  if (error.details === undefined) return 'error.details missing';
  return null;
}

function describe(req: FuzzRequest): string {
  const body = req.body === undefined ? '' : ` body(${req.body.length} chars)=${JSON.stringify(req.body.slice(0, 300))}`;
  const auth = req.principal === 'bogus' ? `bogus ${JSON.stringify(req.bogusAuthorization?.slice(0, 80))}` : req.principal;
  const url = req.url.length > 400 ? `${req.url.slice(0, 400)}… (${req.url.length} chars)` : req.url;
  const cookie = req.cookie === undefined ? '' : ` [cookie: ${JSON.stringify(req.cookie.slice(0, 200))}]`;
  return `${req.method.toUpperCase()} ${url} [auth: ${auth}]${cookie}${req.contentType === undefined ? '' : ` [content-type: ${req.contentType}]`}${body}${req.poison ? ` [poison: ${req.poison}]` : ''}`;
}

/** Codes of refusals made by the body parser and the router, before any guard. */
const REFUSED_BEFORE_AUTH = ['invalid_json', 'json_too_deep', 'bad_request', 'not_found', 'payload_too_large', 'unsupported_media_type'];

/** The rules every reply keeps; `refused`: the request carries a poison and must be a 4xx. */
export function problemWith(target: FuzzTarget, req: FuzzRequest, res: Reply): string | null {
  const allowed = target.allowances.find((a) => a.route === req.route && a.accepts(res));
  if (req.poison) {
    const code = (res.body as { error?: { code?: string } } | undefined)?.error?.code ?? '';
    // Without a valid token: 401, unless refused before the guard even runs (unparsable body or path, no such route).
    if (req.poison === 'no-valid-token' && res.status !== 401 && !REFUSED_BEFORE_AUTH.includes(code))
      return `expected 401, got ${res.status} ${code}`;
    if (res.status < 400 || res.status >= 500) return `expected a refusal (4xx), got ${res.status}`;
  } else if (res.status >= 500) {
    const peer = target.peerFailures[req.route];
    const code = (res.body as { error?: { code?: string } } | undefined)?.error?.code;
    if (!(peer && (res.status === 502 || res.status === 503) && code && peer.includes(code)))
      return `status ${res.status} (${code ?? res.text.slice(0, 100)})`;
  }
  if (res.status >= 400 && !allowed) {
    const shape = shapeProblem(res);
    if (shape) return `error reply out of shape: ${shape}`;
  }
  return null;
}

/**
 * Sends `runs` generated requests, each to one of `endpoints` (evenly) or, one in ten, to one of
 * `rare` (methods the paths lack), recording everything in `log`.
 */
export async function fuzz(
  target: FuzzTarget,
  endpoints: Endpoint[],
  mode: 'refused' | 'free',
  runs: number,
  log: FuzzLog,
  rare: Endpoint[] = [],
): Promise<void> {
  const generate = (ep: Endpoint) => (mode === 'refused' ? refusedRequest(ep, target.known) : freeRequest(ep, target.known));
  const anyOf = (eps: Endpoint[]) => fc.constantFrom(...eps.map((ep, i) => i)).chain((i) => generate(eps[i]));
  const arbitrary = rare.length
    ? fc.oneof({ weight: 9, arbitrary: anyOf(endpoints) }, { weight: 1, arbitrary: anyOf(rare) })
    : anyOf(endpoints);
  await fc.assert(
    fc.asyncProperty(arbitrary, async (req) => {
      log.requests++;
      log.routes.add(req.route);
      if (req.poison) log.poisons.set(req.poison, (log.poisons.get(req.poison) ?? 0) + 1);
      let res: Reply;
      try {
        res = await send(target, req);
      } catch (first) {
        // A connection cut while a big body is still being written (seen once in 7,200 under load,
        // never on replay): sent again once and counted; cut twice is a failure.
        log.transportRetries.push(`${describe(req)}: ${(first as Error).message}`);
        try {
          res = await send(target, req);
        } catch (err) {
          log.failures.push(`${describe(req)} → no reply, twice: ${(err as Error).message}`);
          return true;
        }
      }
      log.statuses.set(res.status, (log.statuses.get(res.status) ?? 0) + 1);
      const perRoute = log.byRoute.get(req.route) ?? new Map<number, number>();
      perRoute.set(res.status, (perRoute.get(res.status) ?? 0) + 1);
      log.byRoute.set(req.route, perRoute);
      const problem = problemWith(target, req, res);
      if (problem) log.failures.push(`${describe(req)} → ${problem}; reply ${res.status} ${res.text.slice(0, 300)}`);
      return true;
    }),
    { seed: FUZZ_SEED + (mode === 'refused' ? 0 : 1), numRuns: runs, endOnFailure: true },
  );
}

/** Methods each documented path lacks, as routes of their own: the router's 404/405 must be in shape too. */
export function otherMethods(endpoints: Endpoint[]): Endpoint[] {
  const all: Method[] = ['get', 'post', 'put', 'patch', 'delete'];
  const byPath = new Map<string, Endpoint[]>();
  for (const ep of endpoints) byPath.set(ep.path, [...(byPath.get(ep.path) ?? []), ep]);
  return [...byPath.values()].flatMap((eps) =>
    all.filter((m) => !eps.some((e) => e.method === m)).map((method) => ({ ...eps[0], method, body: undefined, query: [] })),
  );
}

/** Row count and checksum of every table (columns in `volatile` left out: e.g. a token's last use). */
export async function snapshot(databaseUrl: string, volatile: Record<string, string[]>): Promise<Record<string, string>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const out: Record<string, string> = {};
    for (const { table_name: table } of tables.rows) {
      const columns = await client.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
        [table],
      );
      const kept = columns.rows.map((c) => c.column_name).filter((c) => !(volatile[table] ?? []).includes(c));
      const list = kept.map((c) => `"${c}"`).join(', ');
      const { rows } = await client.query<{ n: number; sum: string }>(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) AS sum FROM (SELECT ${list} FROM "${table}") r`,
      );
      out[table] = `${rows[0].n} rows, md5 ${rows[0].sum}`;
    }
    return out;
  } finally {
    await client.end();
  }
}

/** The lines the suite prints: per phase (with the poisons used), then the service's total. */
export function summarize(service: string, refused: FuzzLog, free: FuzzLog): string[] {
  const lines: string[] = [];
  if (refused.requests)
    lines.push(`${refused.summary(`${service} (refused phase)`)}; poisons ${JSON.stringify(Object.fromEntries(refused.poisons))}`);
  if (free.requests) lines.push(free.summary(`${service} (free phase)`));
  const all = new FuzzLog();
  for (const log of [refused, free]) {
    all.requests += log.requests;
    log.routes.forEach((r) => all.routes.add(r));
    log.statuses.forEach((n, s) => all.statuses.set(s, (all.statuses.get(s) ?? 0) + n));
  }
  if (all.requests) lines.push(all.summary(service));
  if (process.env.FUZZ_VERBOSE)
    for (const [phase, log] of [
      ['refused', refused],
      ['free', free],
    ] as const)
      for (const [route, counts] of [...log.byRoute.entries()].sort())
        lines.push(`  ${phase} ${route}: ${[...counts.entries()].map(([s, n]) => `${s}: ${n}`).join(', ')}`);
  return lines;
}

export { routeName };
export type { Principal };
