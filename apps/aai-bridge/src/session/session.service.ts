import { Inject, Injectable } from '@nestjs/common';
import { ClockRepository } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { Session, SessionIdentity, SessionRepository } from './session.repository';

/** A session found by its cookie's token (the token ends it at logout). */
export interface ActiveSession extends Session {
  token: string;
}

/** What the IdP said about the login, kept for single logout. */
export interface IdpSessionRef {
  nameId: string | null;
  nameIdFormat: string | null;
  sessionIndex: string | null;
}

/** Browser sessions: started by a login, found by their cookie, ended by either logout. */
@Injectable()
export class SessionService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly clock: ClockRepository,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
  ) {}

  /** A new session lasting AAI_SESSION_HOURS; the token goes into the cookie. */
  async start(identity: SessionIdentity, idp: IdpSessionRef): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(this.clock.now().getTime() + this.config.AAI_SESSION_HOURS * 3_600_000);
    const token = await this.sessions.create({ identity, ...idp, expiresAt });
    return { token, expiresAt };
  }

  /** The unexpired session of this token, or null. */
  async find(token: string | undefined): Promise<ActiveSession | null> {
    if (!token) return null;
    const session = await this.sessions.find(token);
    return session && { ...session, token };
  }

  async end(session: ActiveSession): Promise<void> {
    await this.sessions.delete(session.token);
  }

  /** IdP-initiated logout: ends the user's sessions named by NameID (and SessionIndex); how many. */
  endAtIdpRequest(nameId: string, sessionIndex: string | null): Promise<number> {
    return this.sessions.deleteByNameId(nameId, sessionIndex);
  }
}
