import { CallHandler, createParamDecorator, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { sessionTokenOf } from './session-cookie';
import { ActiveSession, SessionService } from './session.service';

type RequestWithSession = Request & { aaiSession?: ActiveSession | null };

/**
 * Loads the browser session of the request's cookie once, before the handler: param decorators
 * are synchronous, so @CurrentSession() reads what this put on the request. Put it on each
 * controller or handler that uses @CurrentSession() (its module imports SessionModule).
 */
@Injectable()
export class SessionInterceptor implements NestInterceptor {
  constructor(private readonly sessions: SessionService) {}

  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = ctx.switchToHttp().getRequest<RequestWithSession>();
    req.aaiSession = await this.sessions.find(sessionTokenOf(req));
    return next.handle();
  }
}

/** The logged-in user's session (null when there is none), as SessionInterceptor loaded it. */
export const CurrentSession = createParamDecorator((_: unknown, ctx: ExecutionContext): ActiveSession | null => {
  const req = ctx.switchToHttp().getRequest<RequestWithSession>();
  if (req.aaiSession === undefined) throw new Error('@CurrentSession() needs SessionInterceptor on the controller');
  return req.aaiSession;
});
