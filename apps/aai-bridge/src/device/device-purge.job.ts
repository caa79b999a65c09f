import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ClockRepository, PeriodicTask } from '@app/platform';
import { HousekeepingService, PurgeRound } from '@app/platform/housekeeping/housekeeping.service';
import { AaiBridgeConfig } from '../config';
import { DeviceAuthorizationRepository } from './device-authorization.repository';

export const DEVICE_PURGE_LOCK_KEY = 0x616169646576; // "aaidev"
/** Kept an hour past expiry (a late poll still gets expired_token rather than invalid_grant). */
const KEEP_EXPIRED_MS = 3_600_000;

/** Every HOUSEKEEPING_INTERVAL_SECONDS: expired device codes and old wrong-code records deleted, on one node at a time. */
@Injectable()
export class DevicePurgeJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly stopping = new AbortController();
  private readonly task = new PeriodicTask('device code purge', () => this.runOnce());

  constructor(
    private readonly housekeeping: HousekeepingService,
    private readonly authorizations: DeviceAuthorizationRepository,
    private readonly clock: ClockRepository,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start(this.config.HOUSEKEEPING_INTERVAL_SECONDS * 1000);
  }

  runOnce(): Promise<PurgeRound> {
    const before = new Date(this.clock.now().getTime() - KEEP_EXPIRED_MS);
    return this.housekeeping.purgeRound(
      { name: 'device code purge', lockKey: DEVICE_PURGE_LOCK_KEY },
      [
        { table: 'device_authorizations', purgeBatch: (limit) => this.authorizations.purgeExpired(before, limit) },
        { table: 'device_verification_failures', purgeBatch: (limit) => this.authorizations.purgeFailures(before, limit) },
      ],
      this.stopping.signal,
    );
  }

  onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    return this.task.stop();
  }
}
