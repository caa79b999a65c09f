import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { PeriodicTask } from '@app/platform';
import { HousekeepingService, PurgeRound } from '@app/platform/housekeeping/housekeeping.service';
import { AaiBridgeConfig } from '../config';
import { SessionRepository } from './session.repository';

export const SESSION_PURGE_LOCK_KEY = 0x616169736573; // "aaises"

/** Every HOUSEKEEPING_INTERVAL_SECONDS: deletes expired browser sessions, on one node at a time. */
@Injectable()
export class SessionPurgeJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly stopping = new AbortController();
  private readonly task = new PeriodicTask('session purge', () => this.runOnce());

  constructor(
    private readonly housekeeping: HousekeepingService,
    private readonly sessions: SessionRepository,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start(this.config.HOUSEKEEPING_INTERVAL_SECONDS * 1000);
  }

  runOnce(): Promise<PurgeRound> {
    return this.housekeeping.purgeRound(
      { name: 'session purge', lockKey: SESSION_PURGE_LOCK_KEY },
      [{ table: 'sessions', purgeBatch: (limit) => this.sessions.purgeExpired(limit) }],
      this.stopping.signal,
    );
  }

  onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    return this.task.stop();
  }
}
