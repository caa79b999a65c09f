import { IncomingMessage, STATUS_CODES, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { INestApplication, Logger, NestApplicationOptions, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { jsonDepthExceededAt } from './input-text';
import { NullFieldsPipe } from './null-fields.pipe';
import { RequestInputGuard } from './request-input.guard';
import { ApiError } from '../errors/api-error';
import { codeForStatus, errorBody, renderError } from '../errors/error.filter';
import { JsonLogger } from '../logging/json-logger';
import { ROUTE_PATTERN } from '../metrics/metrics';

/**
 * The HTTP framework under Nest, chosen per service. Fastify costs about a quarter less CPU per
 * allocation than express (measured side by side), which matters where requests come at a rate
 * (mac-pool); express stays where pages and redirects are written with its response helpers and
 * requests are logins (aai-bridge).
 */
export type HttpFramework = 'express' | 'fastify';

export interface HttpAppDefinition {
  name: string;
  summary: string;
  appModule: Type<unknown>;
  http: HttpFramework;
  /** Requests whose body the app reads as a stream itself (uploads): the JSON parser leaves them alone. */
  streamedBody?(req: { method?: string; url?: string }): boolean;
}

/** The request's body as a stream, for handlers that read it themselves: Fastify's request wraps Node's. */
export function bodyStream(req: object): Readable {
  return ('raw' in req ? req.raw : req) as Readable;
}

const JSON_BODY_LIMIT = '1mb';
/** Deeper JSON is refused before parsing: no request body of ours nests anywhere near this. */
const MAX_JSON_DEPTH = 64;
const JSON_TYPE = /^application\/(.+\+)?json/i;

/**
 * A service's Nest application on its framework, with what every HTTP entry point needs: JSON
 * logs, bodies parsed (or left to stream), the one error shape also for what the framework or Node
 * refuses, the input guard and pipe, OpenAPI docs. Used by the bootstrap and the e2e tests alike.
 */
export async function createHttpApp(def: HttpAppDefinition, options: NestApplicationOptions = {}): Promise<INestApplication> {
  const app =
    def.http === 'fastify'
      ? await createFastifyApp(def, options)
      : await NestFactory.create<NestExpressApplication>(def.appModule, { bufferLogs: true, ...options, bodyParser: false });
  if (def.http === 'express') configureExpress(app as NestExpressApplication, def);
  app.useLogger(app.get(JsonLogger));
  // After the module's APP_GUARD (auth) and APP_PIPE (validation): useGlobal* appends to those.
  app.useGlobalGuards(new RequestInputGuard());
  app.useGlobalPipes(new NullFieldsPipe());
  const doc = new DocumentBuilder().setTitle(def.name).setDescription(def.summary).addBearerAuth().build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
  return app;
}

function configureExpress(app: NestExpressApplication, def: HttpAppDefinition): void {
  app.set('trust proxy', 'loopback');
  // Express would hash every reply body for an ETag; no client of these APIs sends If-None-Match.
  app.set('etag', false);
  const server = app.getHttpServer() as Server;
  server.on('clientError', answerClientError);
  app.use(jsonBodyReader(def));
  // HTML form posts (the SAML POST binding); small, as SAML messages are.
  app.use(express.urlencoded({ extended: false, limit: '2mb' }));
}

async function createFastifyApp(def: HttpAppDefinition, options: NestApplicationOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    trustProxy: 'loopback',
    // Node's default, which express kept and Fastify turns off: a client sending a request slowly
    // can't hold a connection for ever.
    requestTimeout: 300_000,
    clientErrorHandler: answerClientError,
    routerOptions: {
      // As express: a trailing slash names the same resource, and a path parameter may be long
      // (the input guard, not the router, says what is wrong with one).
      ignoreTrailingSlash: true,
      maxParamLength: 2048,
    },
    // The router's own refusals (a malformed %-escape) in the one error shape.
    frameworkErrors: (err: Error, _req: FastifyRequest, reply: FastifyReply) => sendError(err, reply),
  });
  const app = await NestFactory.create<NestFastifyApplication>(def.appModule, adapter, { bufferLogs: true, ...options, bodyParser: false });
  const fastify = app.getHttpAdapter().getInstance();
  // Fastify's own parsers would read JSON and text bodies whole, uploads included. Bodies are read
  // in the hook below instead, on any method (Fastify reads none on GET; express did), or left
  // unread for a handler that streams them (uploads); the parser hands on what the hook found.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (req: FastifyRequest, _payload: IncomingMessage, done: (err: null, body: unknown) => void) =>
    done(null, (req.raw as ParsedRequest).body),
  );
  const readJsonBody = jsonBodyReader(def);
  fastify.addHook('onRequest', (req, reply, next) => {
    const raw = req.raw as ParsedRequest;
    raw[ROUTE_PATTERN] = req.routeOptions.url || undefined;
    // What the reader refuses reaches the error filter through the error handler Nest gives Fastify.
    readJsonBody(raw, reply.raw, (err) => {
      if (err) return next(err);
      req.body = raw.body;
      next();
    });
  });
  return app;
}

type ParsedRequest = IncomingMessage & { body?: unknown; [ROUTE_PATTERN]?: string };

/**
 * express's JSON body reader (body-parser), for both frameworks: one set of rules. At most 1 MiB,
 * nesting checked before parsing, only objects and arrays at the top, an empty body is {}, any
 * `+json` type; bodies the service streams itself are left unread; its errors named.
 */
function jsonBodyReader(def: HttpAppDefinition) {
  const parse = express.json({
    limit: JSON_BODY_LIMIT,
    type: (req) => JSON_TYPE.test(String(req.headers['content-type'] ?? '')) && !def.streamedBody?.(req),
    verify: (_req, _res, raw) => checkJsonDepth(raw),
  });
  return (req: IncomingMessage, res: ServerResponse, next: (err?: Error) => void) =>
    parse(req, res, (err?: unknown) => next(err === undefined ? undefined : bodyError(err)));
}

function checkJsonDepth(raw: Buffer): void {
  const at = jsonDepthExceededAt(raw, MAX_JSON_DEPTH);
  if (at >= 0)
    throw ApiError.badRequest('json_too_deep', `body nests deeper than ${MAX_JSON_DEPTH} levels (at byte ${at})`, {
      maxDepth: MAX_JSON_DEPTH,
      offset: at,
    });
}

/** body-parser's errors would reach the filter as a generic 400: name them. */
function bodyError(err: unknown): Error {
  if (err instanceof ApiError) return err;
  const e = err as { type?: string; message?: string };
  if (e?.type === 'entity.parse.failed') return ApiError.badRequest('invalid_json', `body is not valid JSON: ${e.message}`);
  if (e?.type === 'entity.too.large') return new ApiError(413, 'payload_too_large', `JSON body larger than ${JSON_BODY_LIMIT}`);
  return err as Error;
}

const logger = new Logger('HttpApp');

/** What Fastify's router refuses before any route is found, in the one error shape (Nest's filters never see it). */
function sendError(err: unknown, reply: FastifyReply): void {
  const { status, body } = renderError(err);
  if (status >= 500) logger.error({ err }, 'unhandled error');
  void reply.status(status).send(errorBody(body.code, body.message, body.details));
}

/**
 * Node answers a request it can't parse (malformed, headers too large, too slow) by itself with an
 * empty body; this answers in the one error shape instead, with the same statuses Node uses.
 */
function answerClientError(err: Error & { code?: string }, socket: Socket): void {
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
}
