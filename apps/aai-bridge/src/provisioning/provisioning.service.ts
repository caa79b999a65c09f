import { Inject, Injectable, Logger } from '@nestjs/common';
import { MappedProperties, MappingRules } from '@app/keystone-mapping';
import { AuditRepository, ClockRepository, CryptoRepository, DomainError } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { FederatedUserRepository } from './federated-user.repository';
import { Grant, GrantPlan, planGrants } from './grant-plan';
import { GrantRepository } from './grant.repository';
import { IssuedCredentialRepository } from './issued-credential.repository';
import { KeystoneClient, KeystoneError, KsRef, KsUser } from '../keystone/keystone.client';
import { attributesRead, keptAttributes } from '../mapping/mapping-preview';
import { MappingService } from '../mapping/mapping.service';

export interface ProvisionResult {
  user: { id: string; name: string; domainId: string; created: boolean };
  projects: Array<{ id: string; name: string; roles: string[] }>;
  groups: Array<{ id: string; name: string }>;
  granted: string[];
  revoked: string[];
  /** Keystone API calls this provisioning made (auth: token issuance for the bridge itself). */
  keystoneCalls: { read: number; write: number; auth: number };
}

/** What a full provisioning answered, kept to answer a repeated login with nothing changed. */
type StoredResult = Pick<ProvisionResult, 'user' | 'projects' | 'groups'>;

type ResolvedProject = { id: string; name: string; roles: KsRef[] };

/** A user the bridge already knows (apply-now and dormancy act on them without a login). */
export interface KnownUserRef {
  keystoneUserId: string;
  userName: string;
}

/** What a re-provisioning without a login changed. */
export interface ReprovisionResult {
  granted: string[];
  revoked: string[];
  deletedCredentials: number;
}

const CACHE_MS = 60_000;

/** A known user deleted in Keystone by someone else (code user_gone): nothing left to provision. */
export const USER_GONE = 'user_gone';

/** The mapping names something Keystone lacks (and the bridge may not create): said plainly. */
const cannotProvision = (message: string) => DomainError.unprocessable('provisioning_failed', message);

/**
 * Makes Keystone hold what the mapping yields for a user: the user (kept current), the projects
 * and roles, the group memberships; and takes back what the bridge granted earlier and the mapping
 * no longer yields. Never touches what anyone else granted (see GrantRepository).
 */
@Injectable()
export class ProvisioningService {
  private readonly logger = new Logger(ProvisioningService.name);
  private domains = new Map<string, { id: string; until: number }>();
  private roleCache?: { roles: KsRef[]; until: number };
  /** Projects found by name, for apply-now only (a login always asks Keystone afresh). */
  private projectCache = new Map<string, { project: KsRef; until: number }>();

  constructor(
    private readonly keystone: KeystoneClient,
    private readonly grants: GrantRepository,
    private readonly users: FederatedUserRepository,
    private readonly credentials: IssuedCredentialRepository,
    private readonly mapping: MappingService,
    private readonly audit: AuditRepository,
    private readonly clock: ClockRepository,
    private readonly crypto: CryptoRepository,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
  ) {}

  /** An admin's provisioning: the assertion mapped with the stored rules, then as a login would. */
  async provisionAssertion(assertion: Record<string, string>): Promise<ProvisionResult> {
    const mapped = await this.mapping.forLogin(assertion);
    const attributes = Object.fromEntries(Object.entries(assertion).map(([k, v]) => [k, String(v).split(';')]));
    return this.provision(mapped, attributes);
  }

  async provision(mapped: MappedProperties, attributes: Record<string, string[]>): Promise<ProvisionResult> {
    const unchanged = await this.unchangedSinceLastProvisioning(mapped, attributes);
    if (unchanged) return unchanged;
    const before = { ...this.keystone.calls };
    const { user, created } = await this.ensureUser(mapped, attributes);
    const projects = await this.resolveProjects(mapped);
    const groups = await this.resolveGroups(mapped);
    const plan = await this.planFor(user, created, projects, groups);
    await this.carryOut(plan, user, 'provision');
    await this.remember(user, attributes);
    const result: ProvisionResult = {
      user: { id: user.id, name: user.name, domainId: user.domain_id, created },
      projects: projects.map((p) => ({ id: p.id, name: p.name, roles: p.roles.map((r) => r.name) })),
      groups: groups.map((g) => ({ id: g.id, name: g.name })),
      granted: plan.grant.map((g) => g.label),
      revoked: plan.revoke.map((g) => g.label),
      keystoneCalls: {
        read: this.keystone.calls.read - before.read,
        write: this.keystone.calls.write - before.write,
        auth: this.keystone.calls.auth - before.auth,
      },
    };
    const stored: StoredResult = { user: result.user, projects: result.projects, groups: result.groups };
    const fingerprint = this.fingerprint(mapped, attributes, await this.mapping.rules(), await this.grants.forUser(user.id));
    await this.users.provisioned(user.id, fingerprint, stored, this.clock.now());
    return result;
  }

  /**
   * A repeated login: when what decided the last full provisioning (see fingerprint) is unchanged,
   * the user is not dormant and that provisioning is younger than AAI_PROVISION_RECHECK_MINUTES,
   * Keystone holds what it made (the bridge clears the fingerprint wherever it revokes or disables),
   * so the stored result is answered without asking Keystone; the user is seen and the grant records
   * refreshed as a full login would (grant expiry counts from them). null: provision in full.
   */
  private async unchangedSinceLastProvisioning(
    mapped: MappedProperties,
    attributes: Record<string, string[]>,
  ): Promise<ProvisionResult | null> {
    const minutes = this.config.AAI_PROVISION_RECHECK_MINUTES;
    const name = mapped.user.name ?? mapped.user.id;
    if (!minutes || !name) return null;
    const since = new Date(this.clock.now().getTime() - minutes * 60_000);
    const candidates = await this.users.lastProvisioning(name, since);
    if (!candidates.length) return null;
    const rules = await this.mapping.rules();
    for (const last of candidates) {
      const recorded = await this.grants.forUser(last.keystoneUserId);
      if (this.fingerprint(mapped, attributes, rules, recorded) !== last.fingerprint) continue;
      await this.users.seenUnchanged({
        keystoneUserId: last.keystoneUserId,
        userName: name,
        idp: attributes.idp?.[0] ?? null,
        attributes: keptAttributes(attributes, attributesRead(rules)),
        at: this.clock.now(),
      });
      const stored = last.result as StoredResult;
      return {
        ...stored,
        user: { ...stored.user, created: false },
        granted: [],
        revoked: [],
        keystoneCalls: { read: 0, write: 0, auth: 0 },
      };
    }
    return null;
  }

  /**
   * SHA-256 of what decides a provisioning: the mapped result and the user fields the login sets,
   * the stored rules, the settings that change the plan, and the bridge's grant records for the
   * user (a grant revoked by apply-now, dormancy or expiry changes them).
   */
  private fingerprint(mapped: MappedProperties, attributes: Record<string, string[]>, rules: MappingRules, recorded: Grant[]): string {
    const decided = {
      mapped,
      email: mapped.user.email ?? attributes.mail?.[0] ?? null,
      description: attributes.displayName?.[0] ?? null,
      rules,
      settings: {
        usersDomain: this.config.AAI_USERS_DOMAIN,
        projectsDomain: this.config.AAI_PROJECTS_DOMAIN,
        createProjects: this.config.AAI_CREATE_PROJECTS,
        tokenMethod: this.config.AAI_TOKEN_METHOD,
      },
      grants: recorded.map((g) => [g.kind, g.target, g.label]),
    };
    return this.crypto.sha256(JSON.stringify(decided)).toString('hex');
  }

  /** Revokes the bridge's grants that no login refreshed within AAI_GRANT_EXPIRY_DAYS. */
  async revokeExpired(now = this.clock.now()): Promise<number> {
    const days = this.config.AAI_GRANT_EXPIRY_DAYS;
    if (days === 0) return 0;
    const stale = await this.grants.notRefreshedSince(new Date(now.getTime() - days * 86_400_000));
    for (const g of stale) {
      await this.users.clearProvisioning(g.keystoneUserId);
      await this.apply(g, g.keystoneUserId, 'revoke');
      await this.grants.forget(g.keystoneUserId, g);
      if (g.kind === 'role')
        for (const c of await this.credentials.forUser(g.keystoneUserId, [g.target.split('/')[0]])) await this.deleteCredential(c);
      await this.audit.record({
        actor: 'aai-bridge',
        action: 'expire',
        target: `user ${g.userName}`,
        details: { revoked: g.label, afterDays: days },
      });
    }
    if (stale.length) this.logger.log({ revoked: stale.length }, 'revoked grants not refreshed by a login');
    return stale.length;
  }

  /**
   * Apply-now: makes Keystone hold what `mapped` yields for a user the bridge knows, without a
   * login (null: the rules refuse the user, so nothing of the bridge's stays). Names are resolved
   * before any change, so a failure leaves the user fully as before (see carryOut).
   */
  async reprovision(user: KnownUserRef, mapped: MappedProperties | null, action = 'apply_now'): Promise<ReprovisionResult> {
    // First: a crash later still leaves the next login a full one.
    await this.users.clearProvisioning(user.keystoneUserId);
    const projects = mapped ? await this.resolveProjects(mapped, true) : [];
    const groups = mapped ? await this.resolveGroups(mapped) : [];
    const ksUser = { id: user.keystoneUserId, name: user.userName };
    const plan = await this.planFor(ksUser, false, projects, groups);
    const deletedCredentials = await this.carryOut(plan, ksUser, action);
    return { granted: plan.grant.map((g) => g.label), revoked: plan.revoke.map((g) => g.label), deletedCredentials };
  }

  /** Dormancy: takes back every grant the bridge made and the application credentials it issued. */
  async revokeAll(user: KnownUserRef): Promise<ReprovisionResult> {
    const result = await this.reprovision(user, null, 'dormant_revoke');
    for (const c of await this.credentials.forUser(user.keystoneUserId)) await this.deleteCredential(c);
    return result;
  }

  /** The hand-off issued an application credential: remembered, to delete it with the role it rests on. */
  async credentialIssued(c: { credentialId: string; keystoneUserId: string; projectId: string; name: string; expiresAt: Date }) {
    await this.credentials.record(c);
  }

  /** After a login: the attributes the rules read (nothing else), the issuing IdP, seen now. */
  private async remember(user: Pick<KsUser, 'id' | 'name'>, attributes: Record<string, string[]>): Promise<void> {
    const read = attributesRead(await this.mapping.rules());
    await this.users.seen({
      keystoneUserId: user.id,
      userName: user.name,
      idp: attributes.idp?.[0] ?? null,
      attributes: keptAttributes(attributes, read),
      at: this.clock.now(),
    });
  }

  /** What to grant, refresh and revoke: the mapping's grants against Keystone and the bridge's records. */
  private async planFor(user: Pick<KsUser, 'id'>, created: boolean, projects: ResolvedProject[], groups: KsRef[]): Promise<GrantPlan> {
    const desired: Grant[] = [
      ...projects.flatMap((p) =>
        p.roles.map((r) => ({ kind: 'role' as const, target: `${p.id}/${r.id}`, label: `project ${p.name}: role ${r.name}` })),
      ),
      ...groups.map((g) => ({ kind: 'group' as const, target: g.id, label: `group ${g.name}` })),
    ];
    // A user just created holds nothing yet: no need to ask.
    const present = created
      ? []
      : [
          ...(await this.keystone.projectRoleAssignments(user.id)).map((a) => ({
            kind: 'role' as const,
            target: `${a.projectId}/${a.roleId}`,
          })),
          ...(await this.groupsOf(user.id)).map((g) => ({ kind: 'group' as const, target: g.id })),
        ];
    return planGrants(desired, present, await this.grants.forUser(user.id));
  }

  /**
   * Carries out a plan all or nothing: if a Keystone call fails, what this plan already changed is
   * undone (in reverse) and the records put back, so the user is left fully as before and a retry
   * starts from the same state. Once every change is made, the application credentials the bridge
   * issued on a project where a role was revoked are deleted (they cannot be undone, so last).
   */
  private async carryOut(plan: GrantPlan, user: Pick<KsUser, 'id' | 'name'>, action: string): Promise<number> {
    // Record first: a crash half way leaves records of grants that may not exist (harmless to
    // revoke later), never grants the bridge would not know it made.
    const recordedBefore = new Set((await this.grants.forUser(user.id)).map((g) => `${g.kind}:${g.target}`));
    await this.grants.record(user.id, user.name, [...plan.grant, ...plan.refresh]);
    const done: Array<{ grant: Grant; action: 'grant' | 'revoke' }> = [];
    try {
      for (const g of plan.grant) {
        await this.apply(g, user.id, 'grant');
        done.push({ grant: g, action: 'grant' });
      }
      for (const g of plan.revoke.filter((r) => r.present)) {
        await this.apply(g, user.id, 'revoke');
        done.push({ grant: g, action: 'revoke' });
      }
    } catch (err) {
      await this.undo(
        done,
        user,
        plan.grant.filter((g) => !recordedBefore.has(`${g.kind}:${g.target}`)),
        err as Error,
      );
      throw err;
    }
    for (const g of plan.revoke) await this.grants.forget(user.id, g);
    const lostProjects = [...new Set(plan.revoke.filter((g) => g.kind === 'role').map((g) => g.target.split('/')[0]))];
    const stale = lostProjects.length ? await this.credentials.forUser(user.id, lostProjects) : [];
    for (const c of stale) await this.deleteCredential(c);
    if (plan.grant.length || plan.revoke.length) {
      await this.audit.record({
        actor: 'aai-bridge',
        action,
        target: `user ${user.name}`,
        details: {
          granted: plan.grant.map((g) => g.label),
          revoked: plan.revoke.map((g) => g.label),
          ...(stale.length ? { deletedApplicationCredentials: stale.map((c) => c.credentialId) } : {}),
        },
      });
    }
    return stale.length;
  }

  /** Puts back what a failed plan changed; a failure here is logged and audited (the user is then mixed). */
  private async undo(
    done: Array<{ grant: Grant; action: 'grant' | 'revoke' }>,
    user: Pick<KsUser, 'id' | 'name'>,
    newRecords: Grant[],
    cause: Error,
  ) {
    try {
      for (const d of [...done].reverse()) await this.apply(d.grant, user.id, d.action === 'grant' ? 'revoke' : 'grant');
      for (const g of newRecords) await this.grants.forget(user.id, g);
    } catch (err) {
      this.logger.error({ user: user.name, err: (err as Error).message, cause: cause.message }, 'could not undo a failed provisioning');
      await this.audit
        .record({
          actor: 'aai-bridge',
          action: 'provision_undo_failed',
          target: `user ${user.name}`,
          details: { cause: cause.message, error: (err as Error).message },
        })
        .catch(() => undefined);
    }
  }

  /** The user's groups; Keystone's 404 means the user itself is gone (user_gone). */
  private async groupsOf(userId: string): Promise<KsRef[]> {
    try {
      return await this.keystone.userGroups(userId);
    } catch (err) {
      if (err instanceof KeystoneError && err.status === 404)
        throw DomainError.notFound(USER_GONE, `user ${userId} no longer exists in Keystone`, { keystoneUserId: userId });
      throw err;
    }
  }

  private async deleteCredential(c: { credentialId: string; keystoneUserId: string }): Promise<void> {
    await this.keystone.deleteApplicationCredential(c.keystoneUserId, c.credentialId);
    await this.credentials.forget(c.credentialId);
  }

  private async apply(g: Grant, userId: string, action: 'grant' | 'revoke') {
    if (g.kind === 'group')
      return action === 'grant' ? this.keystone.addToGroup(g.target, userId) : this.keystone.removeFromGroup(g.target, userId);
    const [projectId, roleId] = g.target.split('/');
    return action === 'grant'
      ? this.keystone.grantProjectRole(projectId, userId, roleId)
      : this.keystone.revokeProjectRole(projectId, userId, roleId);
  }

  private async ensureUser(mapped: MappedProperties, attributes: Record<string, string[]>): Promise<{ user: KsUser; created: boolean }> {
    const name = mapped.user.name ?? mapped.user.id;
    if (!name) throw cannotProvision('the mapping yields no user name (local user.name)');
    const domainId = mapped.user.domain?.id ?? (await this.domainId(mapped.user.domain?.name ?? this.config.AAI_USERS_DOMAIN));
    const email = mapped.user.email ?? attributes.mail?.[0];
    const description = attributes.displayName?.[0];
    const existing = await this.keystone.findUser(domainId, name);
    if (!existing) {
      const user = await this.keystone.createUser({
        name,
        domain_id: domainId,
        ...(email ? { email } : {}),
        ...(description ? { description } : {}),
      });
      return { user, created: true };
    }
    const changes: Partial<KsUser> = {};
    // A login brings back an account the bridge disabled as dormant (never one an admin disabled).
    if (!existing.enabled && (await this.users.isDormant(existing.id))) changes.enabled = true;
    if (email && existing.email !== email) changes.email = email;
    if (description && existing.description !== description) changes.description = description;
    if (Object.keys(changes).length) await this.keystone.updateUser(existing.id, changes);
    return { user: { ...existing, ...changes }, created: false };
  }

  /** cached: a project found within the last minute is not asked for again (apply-now goes through thousands of users). */
  private async resolveProjects(mapped: MappedProperties, cached = false): Promise<ResolvedProject[]> {
    const domainId = await this.domainId(this.config.AAI_PROJECTS_DOMAIN);
    const create = this.config.AAI_CREATE_PROJECTS;
    const out: ResolvedProject[] = [];
    for (const p of mapped.projects) {
      let project = cached ? await this.cachedProject(domainId, p.name) : await this.keystone.findProject(domainId, p.name);
      if (!project) {
        if (!create) throw cannotProvision(`project ${p.name} does not exist in Keystone (and AAI_CREATE_PROJECTS is off)`);
        project = await this.keystone.createProject(domainId, p.name, 'created by aai-bridge for federated users');
      }
      out.push({ id: project.id, name: p.name, roles: await Promise.all(p.roles.map((r) => this.role(r.name))) });
    }
    return out;
  }

  private async resolveGroups(mapped: MappedProperties): Promise<KsRef[]> {
    const groups: KsRef[] = mapped.group_ids.map((id) => ({ id, name: id }));
    for (const g of mapped.group_names) {
      const domainId = g.domain.id ?? (await this.domainId(g.domain.name!));
      const group = await this.keystone.findGroup(domainId, g.name);
      if (!group) throw cannotProvision(`group ${g.name} does not exist in Keystone domain ${g.domain.name ?? g.domain.id}`);
      groups.push(group);
    }
    return [...new Map(groups.map((g) => [g.id, g])).values()];
  }

  private async cachedProject(domainId: string, name: string): Promise<KsRef | null> {
    const now = this.clock.now().getTime();
    const key = `${domainId}/${name}`;
    const hit = this.projectCache.get(key);
    if (hit && hit.until > now) return hit.project;
    const project = await this.keystone.findProject(domainId, name);
    if (project) this.projectCache.set(key, { project, until: now + CACHE_MS });
    return project;
  }

  private async domainId(name: string): Promise<string> {
    const now = this.clock.now().getTime();
    const hit = this.domains.get(name);
    if (hit && hit.until > now) return hit.id;
    const id = await this.keystone.domainId(name);
    this.domains.set(name, { id, until: now + CACHE_MS });
    return id;
  }

  /** A role by name, from a list cached a minute; a name not in it is looked up afresh once. */
  private async role(name: string): Promise<KsRef> {
    for (const fresh of [false, true]) {
      const now = this.clock.now().getTime();
      if (fresh || !this.roleCache || this.roleCache.until < now)
        this.roleCache = { roles: await this.keystone.roles(), until: now + CACHE_MS };
      const role = this.roleCache.roles.find((r) => r.name === name);
      if (role) return role;
    }
    throw cannotProvision(`role ${name} does not exist in Keystone`);
  }
}
