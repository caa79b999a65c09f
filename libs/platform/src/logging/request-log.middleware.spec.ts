import { once } from 'node:events';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import express from 'express';
import { JsonLogger } from './json-logger';
import { RequestLogMiddleware } from './request-log.middleware';

/** A real express app and HTTP requests; the log lines are collected as written. */
async function serve(level: string) {
  const lines: Array<Record<string, any>> = [];
  const logger = new JsonLogger('svc', level, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const middleware = new RequestLogMiddleware(logger);
  const app = express();
  app.use((req, res, next) => middleware.use(req, res, next));
  app.get('/health/live', (_req, res) => void res.json({ ok: true }));
  app.get('/health/fail', (_req, res) => void res.status(503).json({ ok: false }));
  app.post('/v1/things', (_req, res) => void res.status(201).json({ made: true }));
  app.get('/v1/missing', (_req, res) => void res.status(404).json({ error: 'not_found' }));
  const server: Server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { lines, url, close: () => new Promise((r) => server.close(r)) };
}

describe('RequestLogMiddleware', () => {
  it('logs one line per request at the level its status gives, without headers', async () => {
    const s = await serve('info');
    try {
      await fetch(`${s.url}/v1/things?x=1`, { method: 'POST', headers: { Authorization: 'Bearer s3cret-token', Cookie: 'sid=abc' } });
      await fetch(`${s.url}/v1/missing`);
      await fetch(`${s.url}/health/live`);
      await fetch(`${s.url}/health/fail`);
      await new Promise((r) => setTimeout(r, 50));
      expect(s.lines.map((l) => [l.level, l.req.method, l.req.url, l.res.statusCode, l.msg])).toEqual([
        [30, 'POST', '/v1/things?x=1', 201, 'request completed'],
        [40, 'GET', '/v1/missing', 404, 'request completed'],
        // A passing probe is not logged; a failing one is.
        [50, 'GET', '/health/fail', 503, 'request completed'],
      ]);
      expect(s.lines[0]).toMatchObject({ service: 'svc', req: { id: 1 }, responseTime: expect.any(Number) });
      expect(s.lines[1].req.id).toBe(2);
      const text = JSON.stringify(s.lines);
      expect(text).not.toContain('s3cret-token');
      expect(text).not.toContain('sid=abc');
    } finally {
      await s.close();
    }
  });

  it('writes nothing for requests the level leaves out', async () => {
    const s = await serve('warn');
    try {
      await fetch(`${s.url}/v1/things`, { method: 'POST' });
      await fetch(`${s.url}/v1/missing`);
      await new Promise((r) => setTimeout(r, 50));
      expect(s.lines.map((l) => [l.level, l.res.statusCode])).toEqual([[40, 404]]);
    } finally {
      await s.close();
    }
  });
});

describe('JsonLogger', () => {
  const collect = () => {
    const lines: Array<Record<string, any>> = [];
    return { lines, logger: new JsonLogger('svc', 'info', { write: (l: string) => void lines.push(JSON.parse(l)) }) };
  };

  it('takes Nest’s last argument as the context and an error handler’s stack as the error', () => {
    const { lines, logger } = collect();
    logger.log('listening', 'NestApplication');
    logger.error('boom', 'Error: boom\n    at x (y.js:1:1)', 'ExceptionsHandler');
    logger.warn({ dropped: 3 }, 'values dropped', 'Saml');
    logger.error(new Error('bad thing'), 'Job');
    logger.debug('not at info');
    expect(lines.map((l) => [l.level, l.msg, l.context])).toEqual([
      [30, 'listening', 'NestApplication'],
      [50, 'boom', 'ExceptionsHandler'],
      [40, 'values dropped', 'Saml'],
      [50, 'bad thing', 'Job'],
    ]);
    expect(lines[1].err.stack).toContain('at x (y.js:1:1)');
    expect(lines[2].dropped).toBe(3);
    expect(lines[3].err.message).toBe('bad thing');
  });
});
