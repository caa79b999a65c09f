import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiError } from '@app/platform';
import { MacPoolConfig } from '../config';
import { NeutronPort } from './reconcile-plan';

const PAGE = 1000;

/** Neutron's port list, read over its v2.0 API (noauth mode: admin context, all projects). */
@Injectable()
export class NeutronClient {
  constructor(private readonly config: ConfigService<MacPoolConfig, true>) {}

  get configured(): boolean {
    return Boolean(this.config.get('MACPOOL_NEUTRON_URL', { infer: true }));
  }

  async listPorts(): Promise<NeutronPort[]> {
    const base = this.config.get('MACPOOL_NEUTRON_URL', { infer: true });
    if (!base) throw ApiError.conflict('reconcile_not_configured', 'set MACPOOL_NEUTRON_URL to reconcile against Neutron');
    const ports: NeutronPort[] = [];
    let marker: string | undefined;
    for (;;) {
      const url = new URL('v2.0/ports', base.endsWith('/') ? base : `${base}/`);
      for (const field of ['id', 'mac_address', 'device_owner']) url.searchParams.append('fields', field);
      url.searchParams.set('limit', String(PAGE));
      url.searchParams.set('sort_key', 'id');
      url.searchParams.set('sort_dir', 'asc');
      if (marker) url.searchParams.set('marker', marker);
      let res: Response;
      try {
        res = await fetch(url, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(30000) });
      } catch (err) {
        throw new ApiError(502, 'neutron_unreachable', `Neutron at ${base} unreachable: ${(err as Error).message}`);
      }
      if (!res.ok) throw new ApiError(502, 'neutron_error', `Neutron answered ${res.status} to the port list: ${(await res.text()).slice(0, 300)}`);
      const page = ((await res.json()) as { ports: Array<{ id: string; mac_address: string; device_owner: string }> }).ports;
      for (const p of page) ports.push({ id: p.id, mac: p.mac_address.toLowerCase(), deviceOwner: p.device_owner ?? '' });
      if (page.length < PAGE) return ports;
      marker = page[page.length - 1].id;
    }
  }
}
