import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { MappingRules } from '@app/keystone-mapping';
import { AuditRepository, ClockRepository, DomainError, MetricsRegistry, Principal } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { ApplyRun, ApplyRunRepository } from './apply-run.repository';
import { FederatedUserRepository, KnownUser } from './federated-user.repository';
import { ProvisioningService, USER_GONE } from './provisioning.service';
import { UserChange, attributesRead, mapAttributes, mapLabels, userChange } from '../mapping/mapping-preview';
import { MappingVersion } from '../mapping/mapping.repository';
import { MappingService } from '../mapping/mapping.service';

/** Who gains and loses what under candidate rules, against what the bridge granted. */
export interface MappingPreview {
  /** Known users with stored attributes, compared. */
  users: number;
  /** Known users whose attributes were dropped (AAI_ATTRIBUTE_RETENTION_DAYS): not compared. */
  skipped: number;
  changed: number;
  gained: number;
  lost: number;
  /** Users who hold bridge grants now and would hold none. */
  loseAllAccess: string[];
  /** Users the candidate rules refuse (their next login fails; apply-now revokes their grants). */
  refused: string[];
  /** Attributes the candidate rules read that the bridge does not keep (the current rules do not read them): the preview cannot see them. */
  unknownAttributes: string[];
  /** Every user with a change. */
  changes: UserChange[];
  /** How long the computation took. */
  milliseconds: number;
}

export type ApplyOutcome = { dryRun: true; preview: MappingPreview } | { dryRun: false; version: MappingVersion; run: ApplyRun };

const PREVIEW_BATCH = 2000;
/** Users of a batch re-provisioned at the same time: Keystone's latency, not its throughput, bounds one at a time. */
const CONCURRENCY = 4;
/** A run not beating for this long was left by a stopped node: it may be resumed. */
const STALE_MS = 120_000;

/**
 * Steering the mapping: a preview of candidate rules over every known user, and apply-now —
 * the rules stored, then every known user re-provisioned under them in batches (each user all or
 * nothing, see ProvisioningService.reprovision), resumable after a failure or a stop.
 */
@Injectable()
export class MappingRolloutService implements OnModuleDestroy {
  private readonly logger = new Logger(MappingRolloutService.name);
  private readonly applied;
  private running?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly mapping: MappingService,
    private readonly users: FederatedUserRepository,
    private readonly runs: ApplyRunRepository,
    private readonly provisioning: ProvisioningService,
    private readonly audit: AuditRepository,
    private readonly clock: ClockRepository,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
    metrics: MetricsRegistry,
  ) {
    this.applied = metrics.counter('aai_mapping_apply_users_total', 'users re-provisioned by apply-now, by outcome', ['outcome'] as const);
  }

  async preview(input: unknown): Promise<MappingPreview> {
    const started = performance.now();
    const candidate = await this.mapping.rules(input);
    const unknownAttributes = await this.unknownAttributes(candidate);
    const out: MappingPreview = {
      users: 0,
      skipped: 0,
      changed: 0,
      gained: 0,
      lost: 0,
      loseAllAccess: [],
      refused: [],
      unknownAttributes,
      changes: [],
      milliseconds: 0,
    };
    for (let cursor: string | null = null; ;) {
      const batch = await this.users.batchAfter(cursor, PREVIEW_BATCH);
      for (const u of batch) {
        if (!u.attributes) {
          out.skipped++;
          continue;
        }
        out.users++;
        const change = userChange(u.userName, mapLabels(candidate, u.attributes), u.granted);
        if (change.refused) out.refused.push(u.userName);
        if (change.losesAllAccess) out.loseAllAccess.push(u.userName);
        if (change.gained.length || change.lost.length || change.refused) {
          out.changed++;
          out.gained += change.gained.length;
          out.lost += change.lost.length;
          out.changes.push(change);
        }
      }
      if (batch.length < PREVIEW_BATCH) break;
      cursor = batch[batch.length - 1].keystoneUserId;
    }
    out.milliseconds = Math.round(performance.now() - started);
    return out;
  }

  /**
   * PUT /v1/mapping?apply=now: the rules stored (as a plain PUT), then every known user
   * re-provisioned in the background; the run is returned at once. dryRun: only the preview.
   */
  async applyNow(input: unknown, actor: Principal, comment: string | undefined, dryRun: boolean): Promise<ApplyOutcome> {
    if (dryRun) return { dryRun: true, preview: await this.preview(input) };
    await this.mapping.rules(input); // refuses invalid rules before anything else
    const active = await this.runs.activeSince(new Date(this.clock.now().getTime() - STALE_MS));
    if (active) throw DomainError.conflict('apply_running', `apply-now run ${active.id} is still running`, { run: active.id });
    const version = await this.mapping.replace(input, actor, comment);
    const run = await this.runs.create(version.version, actor.name, await this.users.count());
    await this.audit.record({
      actor: actor.name,
      action: 'mapping.apply_now',
      target: `run ${run.id}`,
      details: { version: version.version, users: run.total },
    });
    this.start(run.id);
    return { dryRun: false, version, run };
  }

  async run(id: number): Promise<ApplyRun> {
    const run = await this.runs.get(id);
    if (!run) throw DomainError.notFound('no_such_run', `no apply-now run ${id}`);
    return run;
  }

  list(limit = 20): Promise<ApplyRun[]> {
    return this.runs.list(limit);
  }

  /** A failed run, or one a stopped node left: its failed users retried, then on from its cursor. */
  async resume(id: number, actor: Principal): Promise<ApplyRun> {
    const run = await this.run(id);
    if (run.status === 'done') throw DomainError.conflict('run_done', `apply-now run ${id} is done`);
    if (!(await this.runs.restart(id, new Date(this.clock.now().getTime() - STALE_MS))))
      throw DomainError.conflict('apply_running', `apply-now run ${id} is still running`);
    await this.audit.record({ actor: actor.name, action: 'mapping.apply_now_resume', target: `run ${id}`, details: {} });
    this.start(id);
    return this.run(id);
  }

  /** Runs a run to its end in this process (tests and the benchmark await it). */
  async execute(id: number): Promise<ApplyRun> {
    const run = await this.run(id);
    let error: string | null = null;
    try {
      const current = await this.mapping.current();
      if (current.version !== run.mappingVersion)
        throw new Error(`the rules changed since (version ${current.version}); logins use those; start a new apply-now`);
      const rules = { rules: current.rules };
      // A resume first retries the users a failure left as before (already counted as processed).
      let failed = await this.batch(run.id, rules, await this.users.byIds(run.failedUsers), run.cursor, [], false);
      for (let cursor = run.cursor; !this.stopping;) {
        const batch = await this.users.batchAfter(cursor, this.config.AAI_APPLY_BATCH_SIZE);
        if (!batch.length) break;
        cursor = batch[batch.length - 1].keystoneUserId;
        failed = await this.batch(run.id, rules, batch, cursor, failed, true);
      }
      if (this.stopping) return this.run(id); // left running: a resume picks it up once stale
      if (failed.length) error = `${failed.length} user(s) failed and were left as before; resume the run to retry them`;
    } catch (err) {
      error = (err as Error).message;
    }
    await this.runs.finish(id, error ? 'failed' : 'done', error);
    const done = await this.run(id);
    await this.audit.record({
      actor: 'aai-bridge',
      action: 'mapping.apply_now_finished',
      target: `run ${id}`,
      details: {
        status: done.status,
        processed: done.processed,
        granted: done.granted,
        revoked: done.revoked,
        failed: done.failedUsers.length,
        error,
      },
    });
    this.logger.log({ run: id, status: done.status, processed: done.processed }, 'apply-now run finished');
    return done;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** One batch, user by user; failed users are added to `failed` (each left fully as before). */
  private async batch(
    runId: number,
    rules: MappingRules,
    users: KnownUser[],
    cursor: string | null,
    failed: string[],
    counted: boolean,
  ): Promise<string[]> {
    const stillFailed = [...failed];
    const totals = { processed: counted ? users.length : 0, granted: 0, revoked: 0, skipped: 0 };
    const one = async (u: KnownUser) => {
      if (!u.attributes) {
        totals.skipped++;
        return;
      }
      const result = mapAttributes(rules, u.attributes);
      try {
        const r = await this.provisioning.reprovision(u, 'mapped' in result ? result.mapped : null);
        totals.granted += r.granted.length;
        totals.revoked += r.revoked.length;
        this.applied.inc({ outcome: 'success' });
      } catch (err) {
        if (err instanceof DomainError && err.code === USER_GONE) {
          // Deleted in Keystone by someone else: nothing to apply, nothing more to remember.
          await this.users.forget(u.keystoneUserId);
          totals.skipped++;
          return;
        }
        stillFailed.push(u.keystoneUserId);
        this.applied.inc({ outcome: 'failure' });
        this.logger.warn({ run: runId, user: u.userName, err: (err as Error).message }, 'apply-now: user left as before');
      }
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, users.length) }, async () => {
        while (next < users.length) await one(users[next++]);
      }),
    );
    await this.runs.progress(runId, { cursor, ...totals, failedUsers: stillFailed });
    return stillFailed;
  }

  private start(id: number): void {
    const work = this.execute(id)
      .then(() => undefined)
      .catch((err) => this.logger.error({ run: id, err: (err as Error).message }, 'apply-now run stopped'));
    this.running = work.finally(() => (this.running === work ? (this.running = undefined) : undefined));
  }

  private async unknownAttributes(candidate: MappingRules): Promise<string[]> {
    const kept = await this.mapping
      .rules()
      .then(attributesRead)
      .catch(() => new Set<string>());
    return [...attributesRead(candidate)].filter((a) => !kept.has(a)).sort();
  }
}
