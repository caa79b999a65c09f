import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { CloudConfig, readCloud } from '@app/openstack';
import { MacPoolConfig } from '../config';

/** Where openstacksdk looks for clouds.yaml, in its order. */
const cloudsYamlPaths = () => [
  process.env.OS_CLIENT_CONFIG_FILE,
  join(process.cwd(), 'clouds.yaml'),
  join(homedir(), '.config/openstack/clouds.yaml'),
  '/etc/openstack/clouds.yaml',
];

/**
 * The clouds.yaml cloud (MACPOOL_OS_CLOUD) reconciliation authenticates as. Read at start, so a
 * missing file or a bad cloud stops the process with a clear message.
 */
@Injectable()
export class ReconcileCloud implements OnModuleInit {
  private cloud?: CloudConfig;

  constructor(@Inject(MacPoolConfig) private readonly config: MacPoolConfig) {}

  /** Whether reconciliation authenticates with Keystone at all (else Neutron's noauth mode, or none). */
  get named(): boolean {
    return Boolean(this.config.MACPOOL_OS_CLOUD);
  }

  onModuleInit(): void {
    const name = this.config.MACPOOL_OS_CLOUD;
    if (!name) return;
    const candidates = [this.config.MACPOOL_CLOUDS_YAML ?? cloudsYamlPaths()].flat().filter((p): p is string => Boolean(p));
    const file = candidates.find((p) => existsSync(p));
    if (!file)
      throw new Error(`MACPOOL_OS_CLOUD=${name}: no clouds.yaml found (looked in ${candidates.join(', ')}); set MACPOOL_CLOUDS_YAML`);
    this.cloud = readCloud(readFileSync(file, 'utf8'), name, file);
  }

  get(): CloudConfig {
    if (!this.cloud) throw new Error('the clouds.yaml cloud is read at start; it was not (MACPOOL_OS_CLOUD unset?)');
    return this.cloud;
  }
}
