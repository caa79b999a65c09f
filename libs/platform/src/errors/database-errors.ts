/**
 * Which errors of pg or TypeORM mean "PostgreSQL can't be reached right now" (a failover, a
 * restart, a network cut) rather than "this query is wrong": the former are worth a retry, so the
 * filter answers 503, never a 500 that reads like a bug.
 */

// Node's socket errors while connecting to or talking with the server.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
// SQLSTATEs: class 08 is "connection exception"; 57P01-57P03 a server shutting down, crashed or
// starting; 53300 no connection slot left.
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
// pg's own messages when the socket dies or no connection comes within connectionTimeoutMillis.
const PG_CLIENT_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Cannot use a pool after calling end on the pool',
];

// Text PostgreSQL refuses to store: a NUL character (22021 in text, 22P05 in jsonb).
const UNSTORABLE_TEXT_SQLSTATE = new Set(['22021', '22P05']);

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  errors?: unknown;
  cause?: unknown;
}

/** The error and what it wraps (TypeORM's driverError, an AggregateError's errors, a cause). */
function* causes(err: unknown, depth = 0): Generator<ErrorLike> {
  if (!err || typeof err !== 'object' || depth > 5) return;
  const e = err as ErrorLike;
  yield e;
  if (e.driverError) yield* causes(e.driverError, depth + 1);
  if (e.cause) yield* causes(e.cause, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* causes(inner, depth + 1);
}

export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of causes(err)) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code)) return true;
    const message = typeof e.message === 'string' ? e.message : '';
    if (PG_CLIENT_MESSAGES.some((m) => message.startsWith(m))) return true;
  }
  return false;
}

export function isUnstorableText(err: unknown): boolean {
  for (const e of causes(err)) if (typeof e.code === 'string' && UNSTORABLE_TEXT_SQLSTATE.has(e.code)) return true;
  return false;
}
