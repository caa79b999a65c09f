import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { PeriodicTask } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { DormancyService } from './dormancy.service';

/** Hourly: dormant accounts disabled (and deleted), stored attributes past their retention dropped. */
@Injectable()
export class DormancyJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly task = new PeriodicTask('dormant account sweep', () => this.dormancy.sweep());

  constructor(
    private readonly dormancy: DormancyService,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
  ) {}

  onApplicationBootstrap(): void {
    const c = this.config;
    if (c.AAI_DORMANT_DAYS > 0 || c.AAI_DELETE_DAYS > 0 || c.AAI_ATTRIBUTE_RETENTION_DAYS > 0) this.task.start(3_600_000);
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }
}
