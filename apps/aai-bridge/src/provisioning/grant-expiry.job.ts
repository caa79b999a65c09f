import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { PeriodicTask } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { ProvisioningService } from './provisioning.service';

/** Hourly: revoke grants no login refreshed within AAI_GRANT_EXPIRY_DAYS (when set). */
@Injectable()
export class GrantExpiryJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly task = new PeriodicTask('grant expiry sweep', () => this.provisioning.revokeExpired());

  constructor(
    private readonly provisioning: ProvisioningService,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.AAI_GRANT_EXPIRY_DAYS > 0) this.task.start(3_600_000);
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }
}
