import type { CookieOptions, Request } from 'express';

/** The browser session cookie: it holds the session token (the database keeps only its hash). */
export const SESSION_COOKIE = 'aai_session';

/** The session token the request's cookie carries, if any. */
export function sessionTokenOf(req: Request): string | undefined {
  const match = /(?:^|;\s*)aai_session=([^;]+)/.exec(req.headers.cookie ?? '');
  return match?.[1];
}

/** Cookie options: not readable by scripts, sent on top-level navigations back from the IdP. */
export const sessionCookieOptions = (expires: Date, secure: boolean): CookieOptions => ({
  httpOnly: true,
  sameSite: 'lax',
  secure,
  expires,
  path: '/',
});
