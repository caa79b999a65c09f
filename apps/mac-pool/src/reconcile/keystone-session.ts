import { CloudConfig } from './clouds-yaml';

interface CatalogEntry {
  type: string;
  endpoints: Array<{ interface: string; region_id?: string; region?: string; url: string }>;
}

/** Thrown when Keystone refuses or can't be reached; the message says which and why. */
export class KeystoneAuthError extends Error {}

const REFRESH_BEFORE_MS = 60_000;

/**
 * A project-scoped Keystone v3 token for the reconciler, refreshed before it expires, plus
 * endpoint lookup in its service catalog.
 */
export class KeystoneSession {
  private current?: { token: string; expiresAt: number; catalog: CatalogEntry[] };

  constructor(private readonly cloud: CloudConfig) {}

  async token(forceNew = false): Promise<string> {
    return (await this.session(forceNew)).token;
  }

  async endpoint(type: string): Promise<string> {
    const { catalog } = await this.session(false);
    const service = catalog.find((s) => s.type === type);
    const ep = service?.endpoints.find(
      (e) => e.interface === this.cloud.interface && (!this.cloud.regionName || (e.region_id ?? e.region) === this.cloud.regionName),
    );
    if (!ep) {
      throw new KeystoneAuthError(
        `Keystone's catalog has no ${this.cloud.interface} "${type}" endpoint${this.cloud.regionName ? ` in region ${this.cloud.regionName}` : ''}`,
      );
    }
    return ep.url;
  }

  private async session(forceNew: boolean) {
    if (!forceNew && this.current && this.current.expiresAt - REFRESH_BEFORE_MS > Date.now()) return this.current;
    const c = this.cloud;
    const body = {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: c.username, domain: { name: c.userDomainName }, password: c.password } },
        },
        scope: { project: { name: c.projectName, domain: { name: c.projectDomainName } } },
      },
    };
    let res: Response;
    try {
      res = await fetch(`${c.authUrl}/auth/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15000),
      });
    } catch (err) {
      throw new KeystoneAuthError(`Keystone at ${c.authUrl} unreachable: ${(err as Error).message}`);
    }
    if (res.status !== 201) {
      const detail = ((await res.json().catch(() => ({}))) as { error?: { message?: string } }).error?.message ?? '';
      throw new KeystoneAuthError(
        `Keystone at ${c.authUrl} refused user ${c.username} for project ${c.projectName}: HTTP ${res.status} ${detail}`.trim(),
      );
    }
    const token = res.headers.get('x-subject-token');
    const json = (await res.json()) as { token: { expires_at: string; catalog?: CatalogEntry[] } };
    if (!token) throw new KeystoneAuthError(`Keystone at ${c.authUrl} answered without X-Subject-Token`);
    this.current = { token, expiresAt: Date.parse(json.token.expires_at), catalog: json.token.catalog ?? [] };
    return this.current;
  }
}
