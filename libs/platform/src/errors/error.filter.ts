import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ApiError } from './api-error';
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
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
};

/** Renders every error as `{"error": {"code", "message", "details"}}`; hides internals of 5xx. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.render(exception);
    if (status >= 500) this.logger.error({ err: exception }, 'unhandled error');
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json({ error: body });
  }

  private render(exception: unknown): { status: number; body: { code: string; message: string; details?: unknown } } {
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
        body: { code: messages ? 'validation_failed' : (CODE_BY_STATUS[status] ?? 'error'), message, details: messages },
      };
    }
    // body-parser errors (bad JSON, too large) carry status and type.
    const e = exception as { status?: number; type?: string; message?: string };
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      const code = e.type === 'entity.parse.failed' ? 'invalid_json' : (CODE_BY_STATUS[e.status] ?? 'bad_request');
      return { status: e.status, body: { code, message: e.message ?? 'bad request' } };
    }
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { code: 'internal_error', message: 'internal error (logged)' } };
  }
}
