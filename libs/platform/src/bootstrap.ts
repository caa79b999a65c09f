import { STATUS_CODES, Server } from 'node:http';
import { Socket } from 'node:net';
import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import pino from 'pino';
import { ConfigError, EnvSpec, EnvValues, describeEnv, loadEnv } from './config/env';
import { EmbeddedPostgres } from './database/embedded-postgres';
import { ApiError } from './errors/api-error';
import { codeForStatus, errorBody } from './errors/error.filter';
import { jsonDepthExceededAt } from './http/input-text';
import { NullFieldsPipe } from './http/null-fields.pipe';
import { RequestInputGuard } from './http/request-input.guard';
import { JsonLogger } from './logging/json-logger';

export interface ServiceDefinition<S extends EnvSpec> {
  name: string;
  summary: string;
  appModule: Type<unknown>;
  env: S;
  /** Where an embedded PostgreSQL keeps its data when DATABASE_URL is unset. */
  dataDir(config: EnvValues<S>): string;
  /** Requests whose body the app reads as a stream itself (uploads): the JSON parser skips them. */
  streamedBody?(req: express.Request): boolean;
}

const JSON_BODY_LIMIT = '1mb';
/** Deeper JSON is refused before parsing: no request body of ours nests anywhere near this. */
export const MAX_JSON_DEPTH = 64;

/** Applies what every HTTP entry point needs, also the e2e tests' app instances. */
export function configureHttp(app: INestApplication, def: Pick<ServiceDefinition<EnvSpec>, 'name' | 'summary' | 'streamedBody'>): void {
  const express_ = app as NestExpressApplication;
  express_.useLogger(app.get(JsonLogger));
  express_.set('trust proxy', 'loopback');
  // Express would hash every reply body for an ETag; no client of these APIs sends If-None-Match.
  express_.set('etag', false);
  answerClientErrorsWithJson(app.getHttpServer() as Server);
  const parseJson = express.json({
    limit: JSON_BODY_LIMIT,
    type: (req) =>
      /^application\/(.+\+)?json/i.test(String(req.headers['content-type'] ?? '')) && !def.streamedBody?.(req as express.Request),
    verify: (_req, _res, raw) => {
      const at = jsonDepthExceededAt(raw, MAX_JSON_DEPTH);
      if (at >= 0)
        throw ApiError.badRequest('json_too_deep', `body nests deeper than ${MAX_JSON_DEPTH} levels (at byte ${at})`, {
          maxDepth: MAX_JSON_DEPTH,
          offset: at,
        });
    },
  });
  // body-parser's own errors would reach the filter as a generic 400: name them.
  express_.use((req: express.Request, res: express.Response, next: express.NextFunction) =>
    parseJson(req, res, (err?: { type?: string; message?: string; status?: number }) => {
      if (!err) return next();
      if (err instanceof ApiError) return next(err);
      if (err.type === 'entity.parse.failed') return next(ApiError.badRequest('invalid_json', `body is not valid JSON: ${err.message}`));
      if (err.type === 'entity.too.large') return next(new ApiError(413, 'payload_too_large', `JSON body larger than ${JSON_BODY_LIMIT}`));
      next(err);
    }),
  );
  // HTML form posts (the SAML POST binding); small, as SAML messages are.
  express_.use(express.urlencoded({ extended: false, limit: '2mb' }));
  // After the module's APP_GUARD (auth) and APP_PIPE (validation): useGlobal* appends to those.
  express_.useGlobalGuards(new RequestInputGuard());
  express_.useGlobalPipes(new NullFieldsPipe());
  const doc = new DocumentBuilder().setTitle(def.name).setDescription(def.summary).addBearerAuth().build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
}

/**
 * Node answers a request it can't parse (malformed, headers too large, too slow) by itself with an
 * empty body; these answer in the one error shape instead, with the same statuses Node uses.
 */
function answerClientErrorsWithJson(server: Server): void {
  server.on('clientError', (err: Error & { code?: string }, socket: Socket) => {
    // Nothing to answer on a dead socket, nor in the middle of a reply already being written.
    if (err.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
      socket.destroy();
      return;
    }
    const [status, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'request headers too large']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'request not received in time']
          : err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
            ? [413, 'chunk extensions too large']
            : [400, 'malformed HTTP request'];
    const body = JSON.stringify(errorBody(codeForStatus(status), message, { parserError: err.code ?? null }));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/**
 * main() of a service: validated config (or exit 1 naming the bad variables), embedded
 * PostgreSQL when DATABASE_URL is unset, HTTP, and a graceful stop on SIGTERM/SIGINT that drains
 * in-flight requests, closes the pool and stops the embedded PostgreSQL, never orphaning it.
 */
export async function runService<S extends EnvSpec>(def: ServiceDefinition<S>): Promise<void> {
  const log = pino({ base: { service: def.name } });
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${def.name}: ${def.summary}\n\nConfiguration (environment variables):\n${describeEnv(def.env)}\n`);
    // Exit now: loading the app module already started Nest's config validation, whose refusal of
    // an unconfigured environment would otherwise surface later as an unhandled rejection (exit 1).
    process.exit(0);
  }
  let config: EnvValues<S>;
  try {
    config = loadEnv(def.env, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${def.name}: refusing to start, ${err.message}\n`);
    process.exit(1);
  }
  const env = config as Record<string, unknown>;
  let embedded: EmbeddedPostgres | undefined;
  let app: NestExpressApplication | undefined;
  let stopping = false;

  const stop = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'shutting down');
    const server = app?.getHttpServer();
    const timeout = setTimeout(() => {
      log.warn('drain timeout reached, closing remaining connections');
      server?.closeAllConnections();
    }, Number(env.SHUTDOWN_TIMEOUT_MS));
    // A keep-alive connection turns idle only after close() began: drop those as they appear
    // instead of waiting out the keep-alive timeout.
    const idle = setInterval(() => server?.closeIdleConnections(), 100);
    try {
      await app?.close();
    } catch (err) {
      log.error({ err }, 'error while closing the app');
    }
    clearTimeout(timeout);
    clearInterval(idle);
    try {
      await embedded?.stop();
    } catch (err) {
      log.error({ err }, 'error while stopping the embedded PostgreSQL');
    }
    log.info('stopped');
    process.exit(code);
  };
  process.once('SIGTERM', () => void stop('SIGTERM', 0));
  process.once('SIGINT', () => void stop('SIGINT', 0));

  try {
    if (!env.DATABASE_URL) {
      embedded = new EmbeddedPostgres({
        dataDir: def.dataDir(config),
        port: Number(env.EMBEDDED_PG_PORT),
        log: (line) => log.debug({ component: 'embedded-postgres' }, line),
        notice: (line) => log.warn({ component: 'embedded-postgres' }, line),
      });
      log.info({ dataDir: def.dataDir(config), port: env.EMBEDDED_PG_PORT }, 'DATABASE_URL unset: starting embedded PostgreSQL');
      process.env.DATABASE_URL = await embedded.start();
    }
    app = await NestFactory.create<NestExpressApplication>(def.appModule, { bufferLogs: true, bodyParser: false });
    configureHttp(app, def);
    await app.listen(Number(env.PORT), String(env.HOST));
    log.info({ url: `http://${env.HOST}:${env.PORT}`, docs: `http://${env.HOST}:${env.PORT}/docs` }, `${def.name} listening`);
  } catch (err) {
    log.fatal({ err: err instanceof Error ? { message: err.message, stack: err.stack } : err }, 'start failed');
    process.stderr.write(`${def.name}: start failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await stop('start failed', 1);
  }
}
