import { KeystoneError, keystoneErrorText } from './errors';
import { OpenStackHttp } from './http';
import { KeystoneSession } from './keystone-session';

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

/**
 * Keystone's v3 API, one method per call the federated-login bridge makes: identity lookups and
 * changes with the session's (admin) token; user tokens and application credentials with none or
 * the user's own. Every failure is a KeystoneError.
 */
export class KeystoneApi {
  constructor(
    protected readonly session: KeystoneSession,
    protected readonly http: OpenStackHttp,
  ) {}

  /** Keystone's v3 URL, without a trailing slash. */
  get url(): string {
    return this.session.authUrl;
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

  /** Deleting a user already gone is fine (dormant accounts are deleted once). */
  async deleteUser(id: string): Promise<void> {
    await this.call('DELETE', `/users/${id}`, undefined, [404]);
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
    const res = await this.http.send(this.plain('POST', '/auth/tokens', body));
    if (res.status !== 201)
      throw new KeystoneError(
        `Keystone refused a ${method} login for user ${userId}: HTTP ${res.status} ${await keystoneErrorText(res)}`,
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
    const res = await this.http.send({
      ...this.plain('POST', `/users/${userId}/application_credentials`, {
        application_credential: { name, expires_at: expiresAt.toISOString().replace(/\.\d+Z$/, '') },
      }),
      token: userToken,
    });
    if (res.status !== 201)
      throw new KeystoneError(
        `Keystone refused the application credential: HTTP ${res.status} ${await keystoneErrorText(res)}`,
        res.status,
      );
    const { application_credential } = (await res.json()) as { application_credential: { id: string; secret: string } };
    return application_credential;
  }

  /** An admin may delete a user's application credential; one already gone is fine. */
  async deleteApplicationCredential(userId: string, id: string): Promise<void> {
    await this.call('DELETE', `/users/${userId}/application_credentials/${id}`, undefined, [404]);
  }

  // ---- plumbing ------------------------------------------------------------------------------
  /** A call with the session's token; statuses in okStatuses are no failure (they yield undefined). */
  private async call<T = unknown>(method: string, path: string, body?: unknown, okStatuses: number[] = []): Promise<T> {
    const res = await this.session.request(this.plain(method, path, body));
    if (res.ok || okStatuses.includes(res.status)) return (res.status === 204 || res.status === 404 ? undefined : await res.json()) as T;
    throw new KeystoneError(`Keystone ${method} ${path.split('?')[0]}: HTTP ${res.status} ${await keystoneErrorText(res)}`, res.status);
  }

  private plain(method: string, path: string, body?: unknown) {
    const url = this.url;
    return {
      method,
      url: `${url}${path}`,
      body,
      unreachable: (reason: string) => new KeystoneError(`Keystone at ${url} unreachable (${method} ${path.split('?')[0]}): ${reason}`, 0),
    };
  }
}
