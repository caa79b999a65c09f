import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditRepository, ClockRepository, DomainError, MetricsRegistry } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { DormantUser, FederatedUserRepository } from './federated-user.repository';
import { ProvisioningService, USER_GONE } from './provisioning.service';
import { KeystoneClient, KeystoneError } from '../keystone/keystone.client';

const DAY_MS = 86_400_000;
/** Users handled per sweep and step (the job runs hourly; a backlog drains over a few runs). */
const SWEEP_LIMIT = 500;

export interface SweepResult {
  disabled: string[];
  deleted: string[];
  attributesDropped: number;
}

/**
 * Accounts nobody uses: after AAI_DORMANT_DAYS without a login a user loses every grant the
 * bridge made and the application credentials it issued, and is disabled in Keystone (so tokens
 * stop working); a login re-enables them (ProvisioningService). After AAI_DELETE_DAYS the dormant
 * user is deleted. AAI_ATTRIBUTE_RETENTION_DAYS bounds how long stored attributes are kept.
 */
@Injectable()
export class DormancyService {
  private readonly logger = new Logger(DormancyService.name);
  private readonly counted;

  constructor(
    private readonly users: FederatedUserRepository,
    private readonly provisioning: ProvisioningService,
    private readonly keystone: KeystoneClient,
    private readonly audit: AuditRepository,
    private readonly clock: ClockRepository,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
    metrics: MetricsRegistry,
  ) {
    this.counted = metrics.counter('aai_dormant_users_total', 'dormant federated users disabled or deleted', ['action'] as const);
  }

  list(limit = 1000): Promise<DormantUser[]> {
    return this.users.dormant(limit);
  }

  async sweep(now = this.clock.now()): Promise<SweepResult> {
    const result: SweepResult = { disabled: [], deleted: [], attributesDropped: 0 };
    const { AAI_DORMANT_DAYS: dormantDays, AAI_DELETE_DAYS: deleteDays, AAI_ATTRIBUTE_RETENTION_DAYS: keepDays } = this.config;
    if (dormantDays > 0) {
      for (const u of await this.users.notSeenSince(new Date(now.getTime() - dormantDays * DAY_MS), SWEEP_LIMIT)) {
        if (await this.attempt(u, 'disable', () => this.disable(u, now, dormantDays))) result.disabled.push(u.userName);
      }
    }
    if (deleteDays > 0) {
      for (const u of await this.users.dormantNotSeenSince(new Date(now.getTime() - deleteDays * DAY_MS), SWEEP_LIMIT)) {
        if (await this.attempt(u, 'delete', () => this.delete(u, deleteDays))) result.deleted.push(u.userName);
      }
    }
    if (keepDays > 0) result.attributesDropped = await this.users.clearAttributesNotSeenSince(new Date(now.getTime() - keepDays * DAY_MS));
    if (result.disabled.length || result.deleted.length || result.attributesDropped) this.logger.log(result, 'dormant accounts swept');
    return result;
  }

  private async disable(u: DormantUser, now: Date, days: number): Promise<void> {
    let revoked: string[];
    let deletedCredentials: number;
    try {
      ({ revoked, deletedCredentials } = await this.provisioning.revokeAll(u));
      await this.keystone.updateUser(u.keystoneUserId, { enabled: false });
    } catch (err) {
      // Deleted in Keystone by someone else: nothing left to disable, nothing to remember.
      const gone = (err instanceof KeystoneError && err.status === 404) || (err instanceof DomainError && err.code === USER_GONE);
      if (gone) return this.users.forget(u.keystoneUserId);
      throw err;
    }
    // Both nodes may sweep at once: the revocations and the disable are idempotent, the record once.
    if (!(await this.users.markDormant(u.keystoneUserId, now))) return;
    this.counted.inc({ action: 'disabled' });
    await this.audit.record({
      actor: 'aai-bridge',
      action: 'dormant_disable',
      target: `user ${u.userName}`,
      details: { lastSeenAt: u.lastSeenAt, afterDays: days, revoked, deletedCredentials },
    });
  }

  private async delete(u: DormantUser, days: number): Promise<void> {
    await this.keystone.deleteUser(u.keystoneUserId);
    await this.users.forget(u.keystoneUserId);
    this.counted.inc({ action: 'deleted' });
    await this.audit.record({
      actor: 'aai-bridge',
      action: 'dormant_delete',
      target: `user ${u.userName}`,
      details: { lastSeenAt: u.lastSeenAt, afterDays: days },
    });
  }

  /** One user's failure (Keystone down) is logged and retried at the next sweep; the others go on. */
  private async attempt(u: DormantUser, step: string, work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (err) {
      this.logger.warn({ user: u.userName, step, err: (err as Error).message }, 'dormant account not handled; retried next sweep');
      return false;
    }
  }
}
