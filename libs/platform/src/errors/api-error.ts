import { HttpStatus } from '@nestjs/common';

/**
 * An error of the HTTP layer itself (guards, body parsing, controllers): it knows its status.
 * Services throw DomainError instead; the filter renders both in the one error shape
 * `{"error": {"code", "message", "details"}}`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: HttpStatus,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  static badRequest(code: string, message: string, details?: unknown) {
    return new ApiError(HttpStatus.BAD_REQUEST, code, message, details);
  }
  static notFound(code: string, message: string, details?: unknown) {
    return new ApiError(HttpStatus.NOT_FOUND, code, message, details);
  }
  static conflict(code: string, message: string, details?: unknown) {
    return new ApiError(HttpStatus.CONFLICT, code, message, details);
  }
  static unprocessable(code: string, message: string, details?: unknown) {
    return new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, code, message, details);
  }
}
