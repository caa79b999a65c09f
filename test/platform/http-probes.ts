import { connect } from 'node:net';

/** `[[[[...]]]]`: 40,000 levels in 80 KB, well under the 1 MB body limit. */
export const DEEP = '['.repeat(40_000) + ']'.repeat(40_000);

/** Every error reply: the one shape, `details` included. */
export function expectErrorShape(body: unknown, code?: string) {
  const error = (body as { error: { details: unknown } }).error;
  expect(body).toEqual({ error: { code: code ?? expect.any(String), message: expect.any(String), details: error.details } });
  expect(Object.keys(error).sort()).toEqual(['code', 'details', 'message']);
  expect(error.details).not.toBeUndefined();
}

/** Raw bytes to the server, the raw reply back (Node's own refusals never reach Nest). */
export function rawRequest(port: number, bytes: string | Buffer, { waitForClose = true } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.on('data', (d) => (reply += d));
    socket.on('error', reject);
    socket.on('close', () => resolve(reply));
    socket.write(bytes);
    if (!waitForClose) socket.end();
  });
}

export function parseRaw(reply: string): { status: number; contentType: string; body: unknown } {
  const [head, body] = reply.split('\r\n\r\n');
  const status = Number(head.split(' ')[1]);
  const contentType = /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '';
  return { status, contentType, body: body ? JSON.parse(body) : undefined };
}
