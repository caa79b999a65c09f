import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PeriodicTask } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { ProvisioningService } from './provisioning.service';

/** Hourly: revoke grants no login refreshed within AAI_GRANT_EXPIRY_DAYS (when set). */
@Injectable()
export class GrantExpiryScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly task = new PeriodicTask('grant expiry sweep', () => this.provisioning.revokeExpired());

  constructor(
    private readonly provisioning: ProvisioningService,
    private readonly config: ConfigService<AaiBridgeConfig, true>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.get('AAI_GRANT_EXPIRY_DAYS', { infer: true }) > 0) this.task.start(3_600_000);
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }
}
