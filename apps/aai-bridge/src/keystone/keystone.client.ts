import { Inject, Injectable } from '@nestjs/common';
import { KeystoneApi, KeystoneError, KeystoneSession, OpenStackHttp } from '@app/openstack';
import { KeystoneMetrics } from './keystone.metrics';
import { AaiBridgeConfig } from '../config';

export { KeystoneError } from '@app/openstack';
export type { KsRef, KsRoleAssignment, KsUser } from '@app/openstack';

/**
 * The bridge's door to Keystone's v3 API (the repository for everything Keystone): the OpenStack
 * library's KeystoneApi on the bridge's admin session, with the calls counted.
 */
@Injectable()
export class KeystoneClient extends KeystoneApi {
  constructor(
    session: KeystoneSession,
    http: OpenStackHttp,
    private readonly metrics: KeystoneMetrics,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
  ) {
    super(session, http);
  }

  /** Calls made since start (tests and the benchmark count them); auth = token issuance. */
  get calls(): { read: number; write: number; auth: number } {
    return this.metrics.calls;
  }

  /** Needs only KEYSTONE_URL (the admin password is needed once the bridge's own token is). */
  override get url(): string {
    const url = this.config.KEYSTONE_URL;
    if (!url) throw new KeystoneError('KEYSTONE_URL is not set', 0);
    return url.replace(/\/+$/, '');
  }
}
