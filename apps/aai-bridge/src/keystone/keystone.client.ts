import { Inject, Injectable } from '@nestjs/common';
import { Histogram } from 'prom-client';
import { MetricsRegistry } from '@app/platform';
import { AaiBridgeConfig } from '../config';

/** A Keystone answer the bridge can't work with; the message names the call and Keystone's words. */
export class KeystoneError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface KsUser {
  id: string;
  name: string;
  domain_id: string;
  email?: string;
  description?: string;
  enabled: boolean;
}
export interface KsRef {
  id: string;
  name: string;
  domain_id?: string;
}
export interface KsRoleAssignment {
  role: { id: string };
  scope?: { project?: { id: string }; domain?: { id: string } };
  user?: { id: string };
  group?: { id: string };
}

const REFRESH_BEFORE_MS = 60_000;

/**
 * The bridge's door to Keystone's v3 API (the repository for everything Keystone): an admin token
 * refreshed before it expires, one method per call the bridge makes, every call counted and timed.
 */
@Injectable()
export class KeystoneClient {
  private token?: { value: string; expiresAt: number };
  private readonly latency: Histogram<'method' | 'status'>;
  /** Calls made since start (tests and the benchmark count them); auth = token issuance. */
  calls = { read: 0, write: 0, auth: 0 };

  constructor(
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
    metrics: MetricsRegistry,
  ) {
    this.latency = new Histogram({
      name: 'aai_keystone_request_duration_seconds',
      help: 'Keystone API call latency',
      labelNames: ['method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [metrics.registry],
    });
  }

  get url(): string {
    const url = this.config.KEYSTONE_URL;
    if (!url) throw new KeystoneError('KEYSTONE_URL is not set', 0);
    return url.replace(/\/+$/, '');
  }

  // ---- identity lookups -------------------------------------------------------------------
  async domainId(name: string): Promise<string> {
    const { domains } = await this.call<{ domains: KsRef[] }>('GET', `/domains?name=${encodeURIComponent(name)}`);
    if (!domains.length) throw new KeystoneError(`Keystone has no domain named ${name}`, 404);
    return domains[0].id;
  }

  async findUser(domainId: string, name: string): Promise<KsUser | null> {
    const { users } = await this.call<{ users: KsUser[] }>('GET', `/users?domain_id=${domainId}&name=${encodeURIComponent(name)}`);
    return users[0] ?? null;
  }

  async createUser(user: { name: string; domain_id: string; email?: string; description?: string }): Promise<KsUser> {
    return (await this.call<{ user: KsUser }>('POST', '/users', { user: { ...user, enabled: true } })).user;
  }

  async updateUser(id: string, changes: Partial<Pick<KsUser, 'email' | 'description' | 'enabled'>> & { password?: string }): Promise<void> {
    await this.call('PATCH', `/users/${id}`, { user: changes });
  }

  async findProject(domainId: string, name: string): Promise<KsRef | null> {
    const { projects } = await this.call<{ projects: KsRef[] }>('GET', `/projects?domain_id=${domainId}&name=${encodeURIComponent(name)}`);
    return projects[0] ?? null;
  }

  async createProject(domainId: string, name: string, description: string): Promise<KsRef> {
    return (
      await this.call<{ project: KsRef }>('POST', '/projects', { project: { name, domain_id: domainId, description, enabled: true } })
    ).project;
  }

  async roles(): Promise<KsRef[]> {
    return (await this.call<{ roles: KsRef[] }>('GET', '/roles')).roles;
  }

  async findGroup(domainId: string, name: string): Promise<KsRef | null> {
    const { groups } = await this.call<{ groups: KsRef[] }>('GET', `/groups?domain_id=${domainId}&name=${encodeURIComponent(name)}`);
    return groups[0] ?? null;
  }

  // ---- assignments ---------------------------------------------------------------------------
  async projectRoleAssignments(userId: string): Promise<Array<{ projectId: string; roleId: string }>> {
    const { role_assignments } = await this.call<{ role_assignments: KsRoleAssignment[] }>('GET', `/role_assignments?user.id=${userId}`);
    return role_assignments
      .filter((a) => a.scope?.project && !a.group)
      .map((a) => ({ projectId: a.scope!.project!.id, roleId: a.role.id }));
  }

  async userGroups(userId: string): Promise<KsRef[]> {
    return (await this.call<{ groups: KsRef[] }>('GET', `/users/${userId}/groups`)).groups;
  }

  async grantProjectRole(projectId: string, userId: string, roleId: string): Promise<void> {
    await this.call('PUT', `/projects/${projectId}/users/${userId}/roles/${roleId}`);
  }

  /** Revoking what is already gone is fine: the goal is the state, not the call. */
  async revokeProjectRole(projectId: string, userId: string, roleId: string): Promise<void> {
    await this.call('DELETE', `/projects/${projectId}/users/${userId}/roles/${roleId}`, undefined, [404]);
  }

  async addToGroup(groupId: string, userId: string): Promise<void> {
    await this.call('PUT', `/groups/${groupId}/users/${userId}`);
  }

  async removeFromGroup(groupId: string, userId: string): Promise<void> {
    await this.call('DELETE', `/groups/${groupId}/users/${userId}`, undefined, [404]);
  }

  // ---- tokens for users (the hand-off) ---------------------------------------------------------
  async createTotpCredential(userId: string, secretBase32: string): Promise<string> {
    const { credential } = await this.call<{ credential: { id: string } }>('POST', '/credentials', {
      credential: { type: 'totp', user_id: userId, blob: secretBase32 },
    });
    return credential.id;
  }

  async deleteCredential(id: string): Promise<void> {
    await this.call('DELETE', `/credentials/${id}`, undefined, [404]);
  }

  /** A token for the user from a TOTP passcode or a password: unscoped, or scoped to a project. */
  async userToken(
    userId: string,
    method: 'totp' | 'password',
    secret: string,
    projectId?: string,
  ): Promise<{ token: string; expiresAt: string }> {
    const identity =
      method === 'totp'
        ? { methods: ['totp'], totp: { user: { id: userId, passcode: secret } } }
        : { methods: ['password'], password: { user: { id: userId, password: secret } } };
    const body = { auth: { identity, ...(projectId ? { scope: { project: { id: projectId } } } : {}) } };
    const res = await this.fetch('POST', '/auth/tokens', body, false);
    if (res.status !== 201)
      throw new KeystoneError(
        `Keystone refused a ${method} login for user ${userId}: HTTP ${res.status} ${await errorText(res)}`,
        res.status,
      );
    const json = (await res.json()) as { token: { expires_at: string } };
    return { token: res.headers.get('x-subject-token')!, expiresAt: json.token.expires_at };
  }

  /** Application credentials can only be made with the user's own token (not by an admin). */
  async createApplicationCredential(
    userToken: string,
    userId: string,
    name: string,
    expiresAt: Date,
  ): Promise<{ id: string; secret: string }> {
    const res = await this.fetch(
      'POST',
      `/users/${userId}/application_credentials`,
      { application_credential: { name, expires_at: expiresAt.toISOString().replace(/\.\d+Z$/, '') } },
      false,
      false,
      userToken,
    );
    if (res.status !== 201)
      throw new KeystoneError(`Keystone refused the application credential: HTTP ${res.status} ${await errorText(res)}`, res.status);
    const { application_credential } = (await res.json()) as { application_credential: { id: string; secret: string } };
    return application_credential;
  }

  // ---- plumbing ------------------------------------------------------------------------------
  private async adminToken(forceNew = false): Promise<string> {
    if (!forceNew && this.token && this.token.expiresAt - REFRESH_BEFORE_MS > Date.now()) return this.token.value;
    const password = this.config.KEYSTONE_ADMIN_PASSWORD;
    if (!password) throw new KeystoneError('KEYSTONE_ADMIN_PASSWORD is not set', 0);
    const domain = { name: this.config.KEYSTONE_ADMIN_DOMAIN };
    const body = {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: this.config.KEYSTONE_ADMIN_USERNAME, domain, password } },
        },
        scope: { project: { name: this.config.KEYSTONE_ADMIN_PROJECT, domain } },
      },
    };
    const res = await this.fetch('POST', '/auth/tokens', body, false);
    if (res.status !== 201)
      throw new KeystoneError(`Keystone refused the bridge's admin credentials: HTTP ${res.status} ${await errorText(res)}`, res.status);
    const json = (await res.json()) as { token: { expires_at: string } };
    this.token = { value: res.headers.get('x-subject-token')!, expiresAt: Date.parse(json.token.expires_at) };
    return this.token.value;
  }

  private async call<T = unknown>(method: string, path: string, body?: unknown, okStatuses: number[] = []): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.fetch(method, path, body, true, attempt > 0);
      if (res.status === 401 && attempt === 0) continue; // token revoked or expired early: once more
      if (res.ok || okStatuses.includes(res.status)) return (res.status === 204 || res.status === 404 ? undefined : await res.json()) as T;
      throw new KeystoneError(`Keystone ${method} ${path.split('?')[0]}: HTTP ${res.status} ${await errorText(res)}`, res.status);
    }
  }

  private async fetch(
    method: string,
    path: string,
    body: unknown,
    authenticated: boolean,
    freshToken = false,
    userToken?: string,
  ): Promise<Response> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (authenticated) headers['X-Auth-Token'] = await this.adminToken(freshToken);
    else if (userToken) headers['X-Auth-Token'] = userToken;
    const end = this.latency.startTimer({ method });
    if (path === '/auth/tokens') this.calls.auth++;
    else if (method === 'GET' || method === 'HEAD') this.calls.read++;
    else this.calls.write++;
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15000),
      });
    } catch (err) {
      end({ status: 'error' });
      throw new KeystoneError(`Keystone at ${this.url} unreachable (${method} ${path.split('?')[0]}): ${(err as Error).message}`, 0);
    }
    end({ status: String(res.status) });
    return res;
  }
}

async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}
