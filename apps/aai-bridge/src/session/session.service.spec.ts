import { ClockRepository } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { Session, SessionRepository } from './session.repository';
import { SessionService } from './session.service';

const NOW = new Date('2026-01-01T12:00:00Z');
const IDP = { nameId: 'nid-1', nameIdFormat: null, sessionIndex: 'si-1' };

function build(stored: Session | null = null) {
  const repository = {
    create: jest.fn(async () => 'tok'),
    find: jest.fn(async () => stored),
    delete: jest.fn(async () => undefined),
  };
  const clock = { now: () => NOW, sleep: async () => undefined };
  const service = new SessionService(
    repository as unknown as SessionRepository,
    clock as ClockRepository,
    {
      AAI_SESSION_HOURS: 8,
    } as AaiBridgeConfig,
  );
  return { service, repository };
}

describe('SessionService', () => {
  it('starts a session lasting AAI_SESSION_HOURS from now', async () => {
    const { service, repository } = build();
    expect(await service.start({} as Session['identity'], IDP)).toEqual({ token: 'tok', expiresAt: new Date('2026-01-01T20:00:00Z') });
    expect(repository.create).toHaveBeenCalledWith({ identity: {}, ...IDP, expiresAt: new Date('2026-01-01T20:00:00Z') });
  });

  it('finds no session without a cookie, asking the database nothing', async () => {
    const { service, repository } = build();
    expect(await service.find(undefined)).toBeNull();
    expect(repository.find).not.toHaveBeenCalled();
  });

  it('keeps the token with a session found, so logout can end it', async () => {
    const session = { identity: {} as Session['identity'], ...IDP, expiresAt: NOW };
    const { service, repository } = build(session);
    const found = await service.find('tok');
    expect(found).toEqual({ ...session, token: 'tok' });
    await service.end(found!);
    expect(repository.delete).toHaveBeenCalledWith('tok');
  });
});
