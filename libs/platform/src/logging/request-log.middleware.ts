import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, NestMiddleware } from '@nestjs/common';
import { JsonLogger } from './json-logger';

/** Successful probes and scrapes come every few seconds: logged only when they fail. */
const QUIET_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/**
 * One line per request when it ends: 2xx/3xx at info, 4xx at warn, 5xx at error. Nothing is built
 * for a request whose line the level leaves out, and no per-request child logger is made: pino-http
 * serialised every request's headers into one before the handler ran, logged or not, which cost a
 * fifth of the service's CPU per allocation. Headers are not logged at all, so no bearer token or
 * cookie can reach the logs.
 */
@Injectable()
export class RequestLogMiddleware implements NestMiddleware {
  private nextId = 0;

  constructor(private readonly logger: JsonLogger) {}

  use(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: () => void): void {
    const url = req.originalUrl ?? req.url ?? '';
    const started = performance.now();
    const id = ++this.nextId;
    const done = () => {
      res.off('finish', done);
      res.off('close', done);
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 || !res.writableFinished ? 'warn' : 'info';
      if (level === 'info' && QUIET_PATHS.test(url)) return;
      const log = this.logger.pino;
      if (!log.isLevelEnabled(level)) return;
      const ms = Math.round((performance.now() - started) * 10) / 10;
      log[level](
        {
          req: { id, method: req.method, url, remoteAddress: req.socket.remoteAddress },
          res: { statusCode: status },
          responseTime: ms,
        },
        res.writableFinished ? 'request completed' : 'request aborted',
      );
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  }
}
