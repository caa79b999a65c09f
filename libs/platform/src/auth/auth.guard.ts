import type { IncomingHttpHeaders } from 'node:http';
import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ADMIN_ROLE, PUBLIC_KEY, Principal, ROLES_KEY, Role } from './roles';
import { TOKEN_CHANGES_CHANNEL } from './token-changes';
import { TokenRepository, hashToken } from './token.repository';
import { ClockRepository } from '../clock/clock.repository';
import { DatabaseNotifications } from '../database/database-notifications';
import { ApiError } from '../errors/api-error';

// A token lookup per request would double the allocation path's queries, so lookups are cached.
// Revocation still holds at once on every node: any change to api_tokens is NOTIFYed and empties
// the cache (within the notification's delivery, milliseconds), and while that notification channel
// is down nothing is cached. Admin tokens are never cached: admin calls are rare, and a revoked admin
// token must not get even those milliseconds (to mint another token, say). The expiry only bounds
// how often last_used_at is written.
const CACHE_MS = 5000;

/** A request as the guard leaves it, under express or Fastify alike. */
export interface AuthenticatedRequest {
  headers: IncomingHttpHeaders;
  principal?: Principal;
}

/** Global guard: every route needs a bearer token unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();
  /** Only while told of every token change. */
  private caching = false;
  /** Bumped on every change: a lookup that raced one must not store what it read before it. */
  private generation = 0;

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenRepository,
    private readonly clock: ClockRepository,
    notifications: DatabaseNotifications,
  ) {
    notifications.subscribe(TOKEN_CHANGES_CHANNEL, {
      onNotify: () => this.forget(),
      onListening: (listening) => {
        this.caching = listening;
        this.forget(); // changes may have been missed while not listening
      },
    });
  }

  private forget(): void {
    this.generation++;
    this.cache.clear();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError(HttpStatus.UNAUTHORIZED, 'unauthorized', 'missing bearer token (Authorization: Bearer <token>)');
    const principal = await this.lookup(match[1]);
    if (!principal) throw new ApiError(HttpStatus.UNAUTHORIZED, 'unauthorized', 'unknown or revoked token');
    const allowed = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [];
    if (principal.role !== ADMIN_ROLE && !allowed.includes(principal.role)) {
      throw new ApiError(
        HttpStatus.FORBIDDEN,
        'forbidden',
        `role ${principal.role} may not do this (needs ${[ADMIN_ROLE, ...allowed].join(' or ')})`,
      );
    }
    req.principal = principal;
    return true;
  }

  private async lookup(token: string): Promise<Principal | null> {
    const key = hashToken(token);
    const now = this.clock.now().getTime();
    const hit = this.caching ? this.cache.get(key) : undefined;
    if (hit && hit.until > now) return hit.principal;
    const generation = this.generation;
    const principal = await this.tokens.findByToken(token);
    if (this.caching && generation === this.generation && principal?.role !== ADMIN_ROLE) {
      if (this.cache.size > 10000) this.cache.clear();
      this.cache.set(key, { principal, until: now + CACHE_MS });
    }
    if (principal) void this.tokens.touch(principal.name).catch(() => undefined);
    return principal;
  }
}
