import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, AuditRepository, MetricsRegistry } from '@app/platform';
import { AllocationService } from '../allocations/allocation.service';
import { MacPoolConfig } from '../config';
import { NeutronClient } from './neutron.client';
import { ReconcilePlan, planReconcile } from './reconcile-plan';
import { ReconcileRepository } from './reconcile.repository';

export type ReconcileReport = ReconcilePlan & { dryRun: boolean; neutronPorts: number; liveAllocations: number };

/**
 * Hooks miss things (a create failing after BEFORE_CREATE publishes nothing, Neutron's DB retry
 * re-runs a create under a new port id, a failed release is only logged): this compares the pool
 * with Neutron's port list and repairs what can be repaired safely.
 */
@Injectable()
export class ReconcileService {
  private readonly logger = new Logger(ReconcileService.name);
  private readonly changes;

  constructor(
    private readonly neutron: NeutronClient,
    private readonly repo: ReconcileRepository,
    private readonly allocations: AllocationService,
    private readonly audit: AuditRepository,
    @Inject(MacPoolConfig) private readonly config: MacPoolConfig,
    metrics: MetricsRegistry,
  ) {
    this.changes = metrics.counter('macpool_reconcile_changes_total', 'changes made by reconciliation', ['change'] as const);
  }

  get configured(): boolean {
    return this.neutron.configured;
  }

  async run(dryRun: boolean, actor: string): Promise<ReconcileReport> {
    const report = await this.repo.exclusively(() => this.reconcile(dryRun, actor));
    if (!report) throw DomainError.conflict('reconcile_running', 'a reconciliation is running on another node; try again shortly');
    return report;
  }

  private async reconcile(dryRun: boolean, actor: string): Promise<ReconcileReport> {
    // Allocations first: an allocation made after the port list was read would look orphaned.
    const allocations = await this.repo.liveAllocations();
    const ports = await this.neutron.listPorts();
    const poolMacs = await this.repo.poolMacs([...new Set(ports.map((p) => p.mac))]);
    const plan = planReconcile(ports, allocations, poolMacs, new Date(), this.config.MACPOOL_RECONCILE_GRACE_SECONDS);
    if (!dryRun) {
      for (const a of plan.release) await this.allocations.releaseOrphan(a.portId, actor);
      for (const a of plan.commit) await this.allocations.commitLost(a.portId, actor);
      this.changes.inc({ change: 'released' }, plan.release.length);
      this.changes.inc({ change: 'committed' }, plan.commit.length);
      if (plan.release.length || plan.commit.length) {
        await this.audit.record({
          actor,
          action: 'reconcile',
          target: 'neutron',
          details: { released: plan.release.length, committed: plan.commit.length },
        });
      }
    }
    const summary = {
      released: plan.release.length,
      committed: plan.commit.length,
      macMismatch: plan.macMismatch.length,
      unallocatedPoolMacs: plan.unallocatedPoolMacs.length,
    };
    this.logger.log({ ...summary, dryRun }, 'reconciled with Neutron');
    return { ...plan, dryRun, neutronPorts: ports.length, liveAllocations: allocations.length };
  }
}
