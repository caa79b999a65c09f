import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { Principal, Roles } from './roles';
import { TokenRepository } from './token.repository';
import { ClockRepository } from '../clock/clock.repository';
import { DatabaseNotifications, NotificationSubscriber } from '../database/database-notifications';

/** A controller readers may call. */
@Roles('reader')
class ReaderRoute {}

/** The guard with every collaborator faked: one caching decision per test. */
function setup(role = 'reader') {
  const rows = new Map<string, Principal>([['tok', { name: 'alice', role }]]);
  let pending: (() => void) | undefined;
  const tokens = {
    lookups: 0,
    holdNextLookup: false,
    async findByToken(token: string) {
      tokens.lookups++;
      const answer = rows.get(token) ?? null;
      if (tokens.holdNextLookup) {
        tokens.holdNextLookup = false;
        await new Promise<void>((resolve) => (pending = resolve));
      }
      return answer;
    },
    touch: async () => undefined,
  };
  let subscriber!: NotificationSubscriber;
  const notifications = { subscribe: (_: string, s: NotificationSubscriber) => (subscriber = s) };
  const clock = { now: () => new Date(1_000_000) };
  const guard = new AuthGuard(
    new Reflector(),
    tokens as unknown as TokenRepository,
    clock as unknown as ClockRepository,
    notifications as unknown as DatabaseNotifications,
  );
  const context = {
    getHandler: () => () => undefined,
    getClass: () => ReaderRoute,
    switchToHttp: () => ({ getRequest: () => ({ headers: { authorization: 'Bearer tok' } }) }),
  } as unknown as ExecutionContext;
  const allowed = () =>
    guard.canActivate(context).then(
      () => true,
      () => false,
    );
  return {
    rows,
    tokens,
    allowed,
    notify: () => subscriber.onNotify(''),
    listening: (on: boolean) => subscriber.onListening(on),
    release: () => pending?.(),
  };
}

describe('AuthGuard token cache', () => {
  it('caches nothing until it listens for token changes', async () => {
    const s = setup();
    await s.allowed();
    await s.allowed();
    expect(s.tokens.lookups).toBe(2);
  });

  it('caches while listening', async () => {
    const s = setup();
    s.listening(true);
    await s.allowed();
    await s.allowed();
    expect(s.tokens.lookups).toBe(1);
  });

  it('never caches an admin token, even while listening', async () => {
    const s = setup('admin');
    s.listening(true);
    await s.allowed();
    await s.allowed();
    expect(s.tokens.lookups).toBe(2);
  });

  it('drops the cache on a token change, so a revoked token is refused at once', async () => {
    const s = setup();
    s.listening(true);
    expect(await s.allowed()).toBe(true);
    s.rows.delete('tok');
    s.notify();
    expect(await s.allowed()).toBe(false);
  });

  it('drops the cache and stops caching when the notification channel is lost', async () => {
    const s = setup();
    s.listening(true);
    await s.allowed();
    s.listening(false);
    s.rows.delete('tok');
    expect(await s.allowed()).toBe(false);
    s.rows.set('tok', { name: 'alice', role: 'reader' });
    await s.allowed();
    await s.allowed();
    expect(s.tokens.lookups).toBe(4);
  });

  it('does not store a lookup that a change overtook', async () => {
    const s = setup();
    s.listening(true);
    s.tokens.holdNextLookup = true;
    const first = s.allowed(); // reads "alice" ...
    await new Promise((r) => setImmediate(r));
    s.rows.delete('tok'); // ... then the token is revoked and notified before the lookup returns
    s.notify();
    s.release();
    expect(await first).toBe(true);
    expect(await s.allowed()).toBe(false); // not served from a stale entry
  });
});
