import { DomainError } from '@app/platform/errors/domain-error';

/** What a call to an OpenStack API was, for whoever counts and times them (a metrics registry). */
export interface HttpExchange {
  method: string;
  url: string;
  /** auth: a token issued (a service's or a user's); read: GET/HEAD; write: anything else. */
  kind: 'auth' | 'read' | 'write';
  /** The HTTP status, or 'error' when nothing answered. */
  status: number | 'error';
  seconds: number;
}

/** Told of every exchange once it ends, also the failed ones; must not throw. */
export type HttpObserver = (exchange: HttpExchange) => void;

export interface HttpRequest {
  method: string;
  url: string | URL;
  /** Sent as JSON. */
  body?: unknown;
  /** X-Auth-Token. */
  token?: string;
  timeoutMs?: number;
  /** The error to throw when nothing answers, in the words of the caller's peer. */
  unreachable?: (reason: string) => Error;
}

export interface OpenStackHttpOptions {
  /** The fetch to use; tests pass a fake. */
  fetch?: typeof fetch;
  /** Default timeout of a request; 15 s. */
  timeoutMs?: number;
  observer?: HttpObserver;
}

/**
 * The one place the OpenStack clients reach the network: JSON in, a Response out whatever its
 * status (the callers decide what a status means), a timeout on every request, every exchange
 * reported to the observer.
 */
export class OpenStackHttp {
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly observer?: HttpObserver;

  constructor(options: OpenStackHttpOptions = {}) {
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.observer = options.observer;
  }

  async send(req: HttpRequest): Promise<Response> {
    const url = new URL(req.url);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (req.body !== undefined) headers['Content-Type'] = 'application/json';
    if (req.token) headers['X-Auth-Token'] = req.token;
    const started = performance.now();
    const report = (status: HttpExchange['status']) =>
      this.observer?.({
        method: req.method,
        url: url.toString(),
        kind: exchangeKind(req.method, url),
        status,
        seconds: (performance.now() - started) / 1000,
      });
    let res: Response;
    try {
      res = await this.fetch(url, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: AbortSignal.timeout(req.timeoutMs ?? this.timeoutMs),
      });
    } catch (err) {
      report('error');
      const reason = (err as Error).message;
      throw req.unreachable?.(reason) ?? DomainError.upstream('upstream_unreachable', `${url.origin} unreachable: ${reason}`);
    }
    report(res.status);
    return res;
  }
}

function exchangeKind(method: string, url: URL): HttpExchange['kind'] {
  if (method === 'POST' && url.pathname.replace(/\/+$/, '').endsWith('/auth/tokens')) return 'auth';
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}
