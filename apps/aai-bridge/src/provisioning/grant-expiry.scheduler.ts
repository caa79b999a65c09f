import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AaiBridgeConfig } from '../config';
import { ProvisioningService } from './provisioning.service';

const EVERY_MS = 3_600_000;

/** Hourly: revoke grants no login refreshed within AAI_GRANT_EXPIRY_DAYS (when set). */
@Injectable()
export class GrantExpiryScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(GrantExpiryScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly provisioning: ProvisioningService,
    private readonly config: ConfigService<AaiBridgeConfig, true>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.get('AAI_GRANT_EXPIRY_DAYS', { infer: true }) === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.provisioning
        .revokeExpired()
        .catch((err) => this.logger.warn({ err: (err as Error).message }, 'grant expiry sweep failed; will retry'))
        .finally(() => (this.running = undefined));
    }, EVERY_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
