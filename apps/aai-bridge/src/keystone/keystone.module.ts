import { Module } from '@nestjs/common';
import { CloudConfig, KeystoneError, KeystoneSession, OpenStackHttp } from '@app/openstack';
import { ClockRepository } from '@app/platform';
import { KeystoneClient } from './keystone.client';
import { KeystoneMetrics } from './keystone.metrics';
import { AaiBridgeConfig } from '../config';

/** The bridge's admin cloud, from its settings; read at first use so the bridge starts without Keystone settings. */
function adminCloud(config: AaiBridgeConfig): CloudConfig {
  if (!config.KEYSTONE_URL) throw new KeystoneError('KEYSTONE_URL is not set', 0);
  if (!config.KEYSTONE_ADMIN_PASSWORD) throw new KeystoneError('KEYSTONE_ADMIN_PASSWORD is not set', 0);
  return {
    authUrl: config.KEYSTONE_URL,
    username: config.KEYSTONE_ADMIN_USERNAME,
    password: config.KEYSTONE_ADMIN_PASSWORD,
    projectName: config.KEYSTONE_ADMIN_PROJECT,
    userDomainName: config.KEYSTONE_ADMIN_DOMAIN,
    projectDomainName: config.KEYSTONE_ADMIN_DOMAIN,
    interface: 'public',
  };
}

/** Keystone for the bridge: its admin session and the v3 API on it (KeystoneClient), every call timed and counted. */
@Module({
  providers: [
    KeystoneMetrics,
    {
      provide: OpenStackHttp,
      inject: [KeystoneMetrics],
      useFactory: (metrics: KeystoneMetrics) => new OpenStackHttp({ observer: (exchange) => metrics.observe(exchange) }),
    },
    {
      provide: KeystoneSession,
      inject: [AaiBridgeConfig, OpenStackHttp, ClockRepository],
      useFactory: (config: AaiBridgeConfig, http: OpenStackHttp, clock: ClockRepository) =>
        new KeystoneSession(() => adminCloud(config), http, { clock }),
    },
    KeystoneClient,
  ],
  exports: [KeystoneClient],
})
export class KeystoneModule {}
