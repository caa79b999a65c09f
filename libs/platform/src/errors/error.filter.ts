import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiError } from './api-error';
import { isDatabaseUnavailable, isUnstorableText } from './database-errors';
import { DomainError, DomainErrorKind } from './domain-error';

/** The one place a domain error becomes an HTTP status. */
export const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unprocessable: 422,
  upstream: 502,
  unavailable: 503,
};

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
  431: 'request_header_fields_too_large',
  503: 'service_unavailable',
};

/** The one error shape; `details` is always there (null when there is nothing more to say). */
export interface ErrorBody {
  code: string;
  message: string;
  details: unknown;
}

export function errorBody(code: string, message: string, details?: unknown): { error: ErrorBody } {
  return { error: { code, message, details: details ?? null } };
}

/** The code for a bare status (Node's own refusals, body-parser's errors). */
export const codeForStatus = (status: number): string => CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'bad_request');

/**
 * Renders every error as `{"error": {"code", "message", "details"}}`; hides internals of 5xx. A
 * database that can't be reached is 503 database_unavailable (retry later), not a 500.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res: unknown = host.switchToHttp().getResponse();
    const http = this.adapterHost.httpAdapter;
    const { status, body } = renderError(exception);
    if (status === HttpStatus.SERVICE_UNAVAILABLE && body.code === 'database_unavailable') {
      this.logger.warn(`database unavailable: ${(exception as Error)?.message ?? String(exception)}`);
    } else if (status >= 500) this.logger.error({ err: exception }, 'unhandled error');
    if (http.isHeadersSent(res)) {
      http.end(res);
      return;
    }
    http.reply(res, errorBody(body.code, body.message, body.details), status);
  }
}

/** An error as status and body: internals of a 5xx hidden, a database out of reach a 503. */
export function renderError(exception: unknown): { status: number; body: { code: string; message: string; details?: unknown } } {
  if (exception instanceof DomainError) {
    return {
      status: STATUS_BY_KIND[exception.kind],
      body: { code: exception.code, message: exception.message, details: exception.details },
    };
  }
  if (exception instanceof ApiError) {
    return { status: exception.status, body: { code: exception.code, message: exception.message, details: exception.details } };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const raw = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
    // class-validator errors arrive as a list of messages: keep them as details.
    const messages = Array.isArray(raw.message) ? (raw.message as string[]) : undefined;
    const message = messages ? messages.join('; ') : typeof raw.message === 'string' ? raw.message : exception.message;
    return {
      status,
      body: { code: messages ? 'validation_failed' : codeForStatus(status), message, details: messages },
    };
  }
  if (isDatabaseUnavailable(exception)) {
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      body: { code: 'database_unavailable', message: 'the database can not be reached right now; retry later' },
    };
  }
  // The edge refuses such text naming the field (RequestInputGuard); this catches any other way in.
  if (isUnstorableText(exception)) {
    return {
      status: HttpStatus.BAD_REQUEST,
      body: { code: 'invalid_text', message: 'the request holds text PostgreSQL can not store (a NUL character)' },
    };
  }
  // body-parser, router and Fastify errors (bad JSON, too large, a malformed %-escape) carry a status.
  const e = exception as { status?: number; statusCode?: number; type?: string; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = e.type === 'entity.parse.failed' ? 'invalid_json' : codeForStatus(status);
    return { status, body: { code, message: e.message ?? 'bad request' } };
  }
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { code: 'internal_error', message: 'internal error (logged)' } };
}
