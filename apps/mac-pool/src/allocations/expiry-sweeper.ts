import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { MacPoolConfig } from '../config';
import { AllocationRepository } from './allocation.repository';

/**
 * Returns expired reservations and ended quarantines to free. Safe on both nodes at once: each
 * row is taken with SKIP LOCKED and re-checked, so no row is freed or logged twice.
 */
@Injectable()
export class ExpirySweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ExpirySweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly allocations: AllocationRepository,
    private readonly config: ConfigService<MacPoolConfig, true>,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.get('MACPOOL_SWEEP_INTERVAL_SECONDS', { infer: true }) * 1000;
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.allocations
      .sweep()
      .then((n) => {
        if (n.expired || n.unquarantined) this.logger.log(n, 'swept');
      })
      .catch((err) => this.logger.warn({ err: (err as Error).message }, 'sweep failed; will retry'))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
