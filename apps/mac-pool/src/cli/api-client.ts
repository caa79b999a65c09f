import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The CLI's one door to the REST API: bearer auth, JSON, and the error shape unpacked. */
export class MacPoolClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

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

  async send<T>(method: string, path: string, body: RequestInit['body'], contentType: string): Promise<T> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': contentType, Accept: 'application/json' },
        body,
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (err) {
      throw new ApiFailure(0, 'unreachable', `cannot reach mac-pool at ${this.baseUrl}: ${(err as Error).cause ?? (err as Error).message}`);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const e = json?.error ?? {};
      throw new ApiFailure(res.status, e.code ?? 'error', e.message ?? `HTTP ${res.status}`, e.details);
    }
    return json as T;
  }
}
