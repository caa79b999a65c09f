import { Inject, Injectable, Logger } from '@nestjs/common';
import { MappedProperties } from '@app/keystone-mapping';
import { AuditRepository, ClockRepository, DomainError } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { Grant, GrantPlan, planGrants } from './grant-plan';
import { GrantRepository } from './grant.repository';
import { KeystoneClient, KsRef, KsUser } from '../keystone/keystone.client';
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

type ResolvedProject = { id: string; name: string; roles: KsRef[] };

const CACHE_MS = 60_000;

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

  constructor(
    private readonly keystone: KeystoneClient,
    private readonly grants: GrantRepository,
    private readonly mapping: MappingService,
    private readonly audit: AuditRepository,
    private readonly clock: ClockRepository,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
  ) {}

  /** An admin's provisioning: the assertion mapped with the stored rules, then as a login would. */
  async provisionAssertion(assertion: Record<string, string>): Promise<ProvisionResult> {
    const mapped = await this.mapping.forLogin(assertion);
    const attributes = Object.fromEntries(Object.entries(assertion).map(([k, v]) => [k, String(v).split(';')]));
    return this.provision(mapped, attributes);
  }

  async provision(mapped: MappedProperties, attributes: Record<string, string[]>): Promise<ProvisionResult> {
    const before = { ...this.keystone.calls };
    const { user, created } = await this.ensureUser(mapped, attributes);
    const projects = await this.resolveProjects(mapped);
    const groups = await this.resolveGroups(mapped);
    const plan = await this.planFor(user, created, projects, groups);
    await this.carryOut(plan, user);
    return {
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
  }

  /** Revokes the bridge's grants that no login refreshed within AAI_GRANT_EXPIRY_DAYS. */
  async revokeExpired(now = this.clock.now()): Promise<number> {
    const days = this.config.AAI_GRANT_EXPIRY_DAYS;
    if (days === 0) return 0;
    const stale = await this.grants.notRefreshedSince(new Date(now.getTime() - days * 86_400_000));
    for (const g of stale) {
      await this.apply(g, g.keystoneUserId, 'revoke');
      await this.grants.forget(g.keystoneUserId, g);
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

  /** What to grant, refresh and revoke: the mapping's grants against Keystone and the bridge's records. */
  private async planFor(user: KsUser, created: boolean, projects: ResolvedProject[], groups: KsRef[]): Promise<GrantPlan> {
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
          ...(await this.keystone.userGroups(user.id)).map((g) => ({ kind: 'group' as const, target: g.id })),
        ];
    return planGrants(desired, present, await this.grants.forUser(user.id));
  }

  private async carryOut(plan: GrantPlan, user: KsUser): Promise<void> {
    // Record first: a failure half way leaves records of grants that may not exist (harmless to
    // revoke later), never grants the bridge would not know it made.
    await this.grants.record(user.id, user.name, [...plan.grant, ...plan.refresh]);
    for (const g of plan.grant) await this.apply(g, user.id, 'grant');
    for (const g of plan.revoke) {
      if (g.present) await this.apply(g, user.id, 'revoke');
      await this.grants.forget(user.id, g);
    }
    if (plan.grant.length || plan.revoke.length) {
      await this.audit.record({
        actor: 'aai-bridge',
        action: 'provision',
        target: `user ${user.name}`,
        details: { granted: plan.grant.map((g) => g.label), revoked: plan.revoke.map((g) => g.label) },
      });
    }
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
    if (email && existing.email !== email) changes.email = email;
    if (description && existing.description !== description) changes.description = description;
    if (Object.keys(changes).length) await this.keystone.updateUser(existing.id, changes);
    return { user: { ...existing, ...changes }, created: false };
  }

  private async resolveProjects(mapped: MappedProperties): Promise<ResolvedProject[]> {
    const domainId = await this.domainId(this.config.AAI_PROJECTS_DOMAIN);
    const create = this.config.AAI_CREATE_PROJECTS;
    const out: ResolvedProject[] = [];
    for (const p of mapped.projects) {
      let project = await this.keystone.findProject(domainId, p.name);
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
