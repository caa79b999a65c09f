import { DomainError } from '@app/platform/errors/domain-error';
import { OpenStackHttp } from './http';
import { KeystoneSession } from './keystone-session';

/** A port as the port listing returns it (only the fields asked for). */
export interface NeutronPortSummary {
  id: string;
  mac_address: string;
  device_owner?: string;
}

const PAGE = 1000;
const TIMEOUT_MS = 30_000;

/**
 * Neutron's v2.0 API: with a Keystone session, authenticated and at the catalog's "network"
 * endpoint unless `endpointOverride` names one; without, Neutron's noauth mode at
 * `endpointOverride` (tests, labs).
 */
export class NeutronApi {
  constructor(
    private readonly http: OpenStackHttp,
    private readonly session: KeystoneSession | null,
    private readonly endpointOverride?: string,
  ) {}

  /** Whether there is a Neutron to talk to. */
  get configured(): boolean {
    return Boolean(this.session || this.endpointOverride);
  }

  async endpoint(): Promise<string> {
    if (this.endpointOverride) return this.endpointOverride;
    if (this.session) return this.session.endpoint('network');
    throw DomainError.conflict('neutron_not_configured', 'no Neutron to reach: neither Keystone credentials nor a Neutron URL');
  }

  /** Every port, paged by id (the `fields` kept small: a cloud can hold many). */
  async listPorts(): Promise<NeutronPortSummary[]> {
    const base = await this.endpoint();
    const ports: NeutronPortSummary[] = [];
    let marker: string | undefined;
    for (;;) {
      const query = new URLSearchParams();
      for (const field of ['id', 'mac_address', 'device_owner']) query.append('fields', field);
      query.set('limit', String(PAGE));
      query.set('sort_key', 'id');
      query.set('sort_dir', 'asc');
      if (marker) query.set('marker', marker);
      const res = await this.send(base, 'GET', `v2.0/ports?${query}`);
      if (!res.ok)
        throw DomainError.upstream('neutron_error', `Neutron answered ${res.status} to the port list: ${(await res.text()).slice(0, 300)}`);
      const page = ((await res.json()) as { ports: NeutronPortSummary[] }).ports;
      ports.push(...page);
      if (page.length < PAGE) return ports;
      marker = page[page.length - 1].id;
    }
  }

  /** Any call, e.g. ('POST', 'v2.0/networks', {...}); whatever Neutron answers is returned. */
  async request(method: string, path: string, body?: unknown): Promise<Response> {
    return this.send(await this.endpoint(), method, path, body);
  }

  private send(base: string, method: string, path: string, body?: unknown): Promise<Response> {
    const req = {
      method,
      url: new URL(path.replace(/^\/+/, ''), base.endsWith('/') ? base : `${base}/`),
      body,
      timeoutMs: TIMEOUT_MS,
      unreachable: (reason: string) => DomainError.upstream('neutron_unreachable', `Neutron at ${base} unreachable: ${reason}`),
    };
    return this.session ? this.session.request(req) : this.http.send(req);
  }
}
