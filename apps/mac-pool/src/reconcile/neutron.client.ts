import { Injectable } from '@nestjs/common';
import { NeutronApi } from '@app/openstack';
import { DomainError } from '@app/platform';
import { NeutronPort } from './reconcile-plan';

/**
 * Neutron's port list as reconciliation reads it. NeutronApi is set up by ReconcileModule: with
 * MACPOOL_OS_CLOUD, authenticated by Keystone (endpoint from the catalog unless
 * MACPOOL_NEUTRON_URL overrides it); with only MACPOOL_NEUTRON_URL, Neutron's noauth mode.
 */
@Injectable()
export class NeutronClient {
  constructor(private readonly neutron: NeutronApi) {}

  get configured(): boolean {
    return this.neutron.configured;
  }

  async listPorts(): Promise<NeutronPort[]> {
    if (!this.configured) {
      throw DomainError.conflict(
        'reconcile_not_configured',
        'set MACPOOL_OS_CLOUD (Keystone credentials from clouds.yaml) or MACPOOL_NEUTRON_URL (noauth) to reconcile against Neutron',
      );
    }
    const ports = await this.neutron.listPorts();
    return ports.map((p) => ({ id: p.id, mac: p.mac_address.toLowerCase(), deviceOwner: p.device_owner ?? '' }));
  }
}
