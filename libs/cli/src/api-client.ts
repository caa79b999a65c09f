import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ApiFailure } from './api-failure';

export interface ServiceEndpoint {
  /** The service's name, for "cannot reach <name> at <url>". */
  name: string;
  baseUrl: string;
  token: string;
}

/** A CLI's one door to a service's REST API: bearer auth, JSON, and the error shape unpacked into ApiFailure. */
export class ApiClient {
  constructor(private readonly endpoint: ServiceEndpoint) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.send<T>(method, path, body === undefined ? undefined : JSON.stringify(body), 'application/json');
  }

  /** Streams a file as the request body, reporting bytes sent. */
  async upload<T>(
    method: 'POST' | 'PUT',
    path: string,
    file: string,
    contentType: string,
    onProgress: (sent: number, total: number) => void,
  ): Promise<T> {
    const total = (await stat(file)).size;
    let sent = 0;
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    stream.on('data', (chunk) => {
      sent += chunk.length;
      onProgress(sent, total);
    });
    return this.send<T>(method, path, Readable.toWeb(stream) as ReadableStream, contentType);
  }

  private async send<T>(method: string, path: string, body: RequestInit['body'], contentType: string): Promise<T> {
    const { name, baseUrl, token } = this.endpoint;
    let res: Response;
    try {
      res = await fetch(new URL(path, baseUrl), {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType, Accept: 'application/json' },
        body,
        // A streamed body must say so (fetch sends it while the reply may already be coming).
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (err) {
      throw new ApiFailure(0, 'unreachable', `cannot reach ${name} at ${baseUrl}: ${(err as Error).cause ?? (err as Error).message}`);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    if (!res.ok) {
      const error = errorOf(text);
      throw new ApiFailure(res.status, error.code ?? 'error', error.message ?? `HTTP ${res.status}`, error.details);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

interface ErrorBody {
  code?: string;
  message?: string;
  details?: unknown;
}

/** The services' one error shape, {error: {code, message, details}}; empty when the body is not that (a proxy's page). */
function errorOf(text: string): ErrorBody {
  try {
    return ((JSON.parse(text) as { error?: ErrorBody } | null)?.error ?? {}) as ErrorBody;
  } catch {
    return {};
  }
}
