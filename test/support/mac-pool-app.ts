import { TestApp, startTestApp } from './nest-app';
import type { EnvSpec, ServiceDefinition } from '../../libs/platform/src';

export type { TestApp };
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** The real mac-pool AppModule on a fresh database (require: jest runs CommonJS). */
export function startMacPool(env: Record<string, string> = {}): Promise<TestApp> {
  return startTestApp(
    () =>
      (require('../../apps/mac-pool/src/service') as typeof import('../../apps/mac-pool/src/service'))
        .macPoolService as unknown as ServiceDefinition<EnvSpec>,
    ADMIN_TOKEN,
    { MACPOOL_ADMIN_TOKEN: ADMIN_TOKEN, ...env },
  );
}
