import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ClockRepository, PeriodicTask } from '@app/platform';
import { DeviceAuthorizationRepository } from './device-authorization.repository';

/** Hourly: device codes expired over an hour ago and old wrong-code records are deleted. */
@Injectable()
export class DevicePurgeJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly task = new PeriodicTask('device code purge', () =>
    this.authorizations.purge(new Date(this.clock.now().getTime() - 3_600_000)),
  );

  constructor(
    private readonly authorizations: DeviceAuthorizationRepository,
    private readonly clock: ClockRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start(3_600_000);
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }
}
