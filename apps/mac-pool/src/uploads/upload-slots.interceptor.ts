import { CallHandler, ExecutionContext, HttpStatus, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Observable, finalize } from 'rxjs';
import { ApiError } from '@app/platform';
import { MacPoolConfig } from '../config';

/** What a refused upload is told to wait: an upload of a large file takes seconds, not minutes. */
export const UPLOAD_RETRY_AFTER_SECONDS = 5;

/**
 * At most MACPOOL_MAX_CONCURRENT_UPLOADS uploads in flight per process; past that 429 with
 * Retry-After. Each upload costs a spool file, parsing CPU and, at its end, a connection: capping
 * them keeps the rest of the pool's connections and the event loop for allocation.
 */
@Injectable()
export class UploadSlots implements NestInterceptor {
  private inFlight = 0;

  constructor(
    @Inject(MacPoolConfig) private readonly config: MacPoolConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const limit = this.config.MACPOOL_MAX_CONCURRENT_UPLOADS;
    if (this.inFlight >= limit) {
      this.adapterHost.httpAdapter.setHeader(context.switchToHttp().getResponse(), 'Retry-After', String(UPLOAD_RETRY_AFTER_SECONDS));
      throw new ApiError(
        HttpStatus.TOO_MANY_REQUESTS,
        'too_many_uploads',
        `${limit} uploads are in progress (MACPOOL_MAX_CONCURRENT_UPLOADS); retry in ${UPLOAD_RETRY_AFTER_SECONDS} s`,
        { limit, retryAfterSeconds: UPLOAD_RETRY_AFTER_SECONDS },
      );
    }
    this.inFlight++;
    let released = false;
    return next.handle().pipe(
      finalize(() => {
        if (released) return;
        released = true;
        this.inFlight--;
      }),
    );
  }
}
