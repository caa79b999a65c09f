import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { PeriodicTask } from '@app/platform';
import { MacPoolConfig } from '../config';
import { AllocationRepository } from './allocation.repository';

/**
 * Returns expired reservations and ended quarantines to free. Safe on both nodes at once: each
 * row is taken with SKIP LOCKED and re-checked, so no row is freed or logged twice.
 */
@Injectable()
export class ReservationExpiryJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReservationExpiryJob.name);
  private readonly task = new PeriodicTask('expiry sweep', async () => {
    const n = await this.allocations.sweep();
    if (n.expired || n.unquarantined) this.logger.log(n, 'swept');
  });

  constructor(
    private readonly allocations: AllocationRepository,
    @Inject(MacPoolConfig) private readonly config: MacPoolConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start(this.config.MACPOOL_SWEEP_INTERVAL_SECONDS * 1000);
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }
}
