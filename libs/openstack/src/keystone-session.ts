import { CloudConfig } from './clouds-yaml';
import { KeystoneError, keystoneErrorText } from './errors';
import { HttpRequest, OpenStackHttp } from './http';

interface CatalogEntry {
  type: string;
  endpoints: Array<{ interface: string; region_id?: string; region?: string; url: string }>;
}

interface IssuedToken {
  token: string;
  expiresAt: number;
  catalog: CatalogEntry[];
}

/** The time a token's remaining life is judged by (the platform's ClockRepository fits); tests pass their own. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * The cloud a session authenticates as, or how to get it: a function is called at first use, so
 * a service whose Keystone settings are missing still starts and says what is missing when it
 * first needs Keystone (or reads its clouds.yaml at its own start-up, after construction).
 */
export type CloudSource = CloudConfig | (() => CloudConfig);

export interface KeystoneSessionOptions {
  clock?: Clock;
  /** A token this close to its expiry is replaced before use; 60 s. */
  refreshBeforeMs?: number;
}

/**
 * A project-scoped Keystone v3 token (password auth), replaced before it expires, and endpoint
 * lookup in its service catalog; `request` sends with the token and, on a 401 (a token revoked or
 * expired early), once more with a fresh one.
 */
export class KeystoneSession {
  private current?: IssuedToken;
  /** A token being issued: concurrent callers share it instead of each asking Keystone. */
  private issuing?: Promise<IssuedToken>;
  private readonly clock: Clock;
  private readonly refreshBeforeMs: number;

  constructor(
    private readonly source: CloudSource,
    private readonly http: OpenStackHttp,
    options: KeystoneSessionOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
  }

  get cloud(): CloudConfig {
    return typeof this.source === 'function' ? this.source() : this.source;
  }

  /** Keystone's v3 URL, without a trailing slash. */
  get authUrl(): string {
    return this.cloud.authUrl.replace(/\/+$/, '');
  }

  async token(forceNew = false): Promise<string> {
    return (await this.session(forceNew)).token;
  }

  /** The URL of the cloud's interface (and region, when it names one) for a service type, e.g. "network". */
  async endpoint(type: string): Promise<string> {
    const { catalog } = await this.session(false);
    const { interface: iface, regionName } = this.cloud;
    const ep = catalog
      .find((s) => s.type === type)
      ?.endpoints.find((e) => e.interface === iface && (!regionName || (e.region_id ?? e.region) === regionName));
    if (!ep) {
      throw new KeystoneError(`Keystone's catalog has no ${iface} "${type}" endpoint${regionName ? ` in region ${regionName}` : ''}`, 0);
    }
    return ep.url;
  }

  /** Sends with the session's token; whatever answers is returned, after at most one retry on 401. */
  async request(req: Omit<HttpRequest, 'token'>): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.http.send({ ...req, token: await this.token(attempt > 0) });
      if (res.status === 401 && attempt === 0) continue;
      return res;
    }
  }

  private async session(forceNew: boolean): Promise<IssuedToken> {
    if (this.issuing) return this.issuing;
    if (!forceNew && this.current && this.current.expiresAt - this.refreshBeforeMs > this.clock.now().getTime()) return this.current;
    this.issuing = this.issue();
    try {
      this.current = await this.issuing;
      return this.current;
    } finally {
      this.issuing = undefined;
    }
  }

  private async issue(): Promise<IssuedToken> {
    const c = this.cloud;
    const url = this.authUrl;
    const res = await this.http.send({
      method: 'POST',
      url: `${url}/auth/tokens`,
      body: {
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: c.username, domain: { name: c.userDomainName }, password: c.password } },
          },
          scope: { project: { name: c.projectName, domain: { name: c.projectDomainName } } },
        },
      },
      unreachable: (reason) => new KeystoneError(`Keystone at ${url} unreachable (POST /auth/tokens): ${reason}`, 0),
    });
    if (res.status !== 201) {
      const detail = await keystoneErrorText(res);
      throw new KeystoneError(
        `Keystone at ${url} refused user ${c.username} for project ${c.projectName}: HTTP ${res.status} ${detail}`.trim(),
        res.status,
      );
    }
    const token = res.headers.get('x-subject-token');
    if (!token) throw new KeystoneError(`Keystone at ${url} answered without X-Subject-Token`, res.status);
    const json = (await res.json()) as { token: { expires_at: string; catalog?: CatalogEntry[] } };
    return { token, expiresAt: Date.parse(json.token.expires_at), catalog: json.token.catalog ?? [] };
  }
}
