import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { MacPoolConfig } from '../config';
import { ReconcileService } from './reconcile.service';

/** Periodic reconciliation; with two nodes up, the advisory lock lets one run at a time. */
@Injectable()
export class ReconcileScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReconcileScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly reconcile: ReconcileService,
    private readonly config: ConfigService<MacPoolConfig, true>,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.get('MACPOOL_RECONCILE_INTERVAL_SECONDS', { infer: true });
    if (!this.reconcile.configured || seconds === 0) return;
    this.timer = setInterval(() => void this.tick(), seconds * 1000);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.reconcile
      .run(false, 'reconcile')
      .catch((err) => this.logger.warn({ err: (err as Error).message }, 'periodic reconciliation failed; will retry'))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
