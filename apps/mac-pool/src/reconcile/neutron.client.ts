import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ApiError } from '@app/platform';
import { MacPoolConfig } from '../config';
import { readCloud } from './clouds-yaml';
import { KeystoneAuthError, KeystoneSession } from './keystone-session';
import { NeutronPort } from './reconcile-plan';

const PAGE = 1000;

/** Where openstacksdk looks for clouds.yaml, in its order. */
const cloudsYamlPaths = () => [
  process.env.OS_CLIENT_CONFIG_FILE,
  join(process.cwd(), 'clouds.yaml'),
  join(homedir(), '.config/openstack/clouds.yaml'),
  '/etc/openstack/clouds.yaml',
];

/**
 * Neutron's port list over its v2.0 API. With MACPOOL_OS_CLOUD, authenticated by Keystone with a
 * clouds.yaml cloud (endpoint from the catalog unless MACPOOL_NEUTRON_URL overrides it); with only
 * MACPOOL_NEUTRON_URL, Neutron's noauth mode (tests, labs).
 */
@Injectable()
export class NeutronClient implements OnModuleInit {
  private keystone?: KeystoneSession;

  constructor(@Inject(MacPoolConfig) private readonly config: MacPoolConfig) {}

  /** Reads the cloud at start, so a bad clouds.yaml stops the process with a clear message. */
  onModuleInit(): void {
    const cloud = this.config.MACPOOL_OS_CLOUD;
    if (!cloud) return;
    const candidates = [this.config.MACPOOL_CLOUDS_YAML ?? cloudsYamlPaths()].flat().filter((p): p is string => Boolean(p));
    const file = candidates.find((p) => existsSync(p));
    if (!file)
      throw new Error(`MACPOOL_OS_CLOUD=${cloud}: no clouds.yaml found (looked in ${candidates.join(', ')}); set MACPOOL_CLOUDS_YAML`);
    this.keystone = new KeystoneSession(readCloud(readFileSync(file, 'utf8'), cloud, file));
  }

  get configured(): boolean {
    return Boolean(this.keystone || this.config.MACPOOL_NEUTRON_URL);
  }

  async listPorts(): Promise<NeutronPort[]> {
    if (!this.configured) {
      throw ApiError.conflict(
        'reconcile_not_configured',
        'set MACPOOL_OS_CLOUD (Keystone credentials from clouds.yaml) or MACPOOL_NEUTRON_URL (noauth) to reconcile against Neutron',
      );
    }
    try {
      const base = this.config.MACPOOL_NEUTRON_URL ?? (await this.keystone!.endpoint('network'));
      const ports: NeutronPort[] = [];
      let marker: string | undefined;
      for (;;) {
        const page = await this.page(base, marker);
        for (const p of page) ports.push({ id: p.id, mac: p.mac_address.toLowerCase(), deviceOwner: p.device_owner ?? '' });
        if (page.length < PAGE) return ports;
        marker = page[page.length - 1].id;
      }
    } catch (err) {
      if (err instanceof KeystoneAuthError) throw new ApiError(502, 'keystone_error', err.message);
      throw err;
    }
  }

  private async page(base: string, marker: string | undefined) {
    const url = new URL('v2.0/ports', base.endsWith('/') ? base : `${base}/`);
    for (const field of ['id', 'mac_address', 'device_owner']) url.searchParams.append('fields', field);
    url.searchParams.set('limit', String(PAGE));
    url.searchParams.set('sort_key', 'id');
    url.searchParams.set('sort_dir', 'asc');
    if (marker) url.searchParams.set('marker', marker);
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (this.keystone) headers['X-Auth-Token'] = await this.keystone.token(attempt > 0);
      let res: Response;
      try {
        res = await fetch(url, { headers, signal: AbortSignal.timeout(30000) });
      } catch (err) {
        throw new ApiError(502, 'neutron_unreachable', `Neutron at ${base} unreachable: ${(err as Error).message}`);
      }
      // A token revoked or expired early: one retry with a fresh one.
      if (res.status === 401 && this.keystone && attempt === 0) continue;
      if (!res.ok)
        throw new ApiError(502, 'neutron_error', `Neutron answered ${res.status} to the port list: ${(await res.text()).slice(0, 300)}`);
      return ((await res.json()) as { ports: Array<{ id: string; mac_address: string; device_owner: string }> }).ports;
    }
  }
}
