import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { PeriodicTask } from '@app/platform';
import { MacPoolConfig } from '../config';
import { ReconcileService } from './reconcile.service';

/** Periodic reconciliation; with two nodes up, the advisory lock lets one run at a time. */
@Injectable()
export class ReconcileJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly task = new PeriodicTask('periodic reconciliation', () => this.reconcile.run(false, 'reconcile'));

  constructor(
    private readonly reconcile: ReconcileService,
    @Inject(MacPoolConfig) private readonly config: MacPoolConfig,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.MACPOOL_RECONCILE_INTERVAL_SECONDS;
    if (this.reconcile.configured && seconds > 0) this.task.start(seconds * 1000);
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }
}
