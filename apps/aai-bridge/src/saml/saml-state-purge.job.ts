import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { PeriodicTask } from '@app/platform';
import { HousekeepingService, PurgeRound } from '@app/platform/housekeeping/housekeeping.service';
import { AaiBridgeConfig } from '../config';
import { SamlStateRepository } from './saml-state.repository';

export const SAML_STATE_PURGE_LOCK_KEY = 0x616169736d6c; // "aaisml"

/**
 * Every HOUSEKEEPING_INTERVAL_SECONDS, on one node at a time: deletes request IDs no response can
 * still answer, and assertion IDs no replay could still get past the validity check.
 */
@Injectable()
export class SamlStatePurgeJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly stopping = new AbortController();
  private readonly task = new PeriodicTask('SAML state purge', () => this.runOnce());

  constructor(
    private readonly housekeeping: HousekeepingService,
    private readonly state: SamlStateRepository,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start(this.config.HOUSEKEEPING_INTERVAL_SECONDS * 1000);
  }

  runOnce(): Promise<PurgeRound> {
    return this.housekeeping.purgeRound(
      { name: 'SAML state purge', lockKey: SAML_STATE_PURGE_LOCK_KEY },
      [
        { table: 'saml_requests', purgeBatch: (limit) => this.state.purgeExpiredRequests(limit) },
        {
          table: 'saml_seen_assertions',
          purgeBatch: (limit) => this.state.purgeSeenAssertions(this.config.AAI_CLOCK_SKEW_SECONDS, limit),
        },
      ],
      this.stopping.signal,
    );
  }

  onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    return this.task.stop();
  }
}
