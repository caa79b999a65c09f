import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApp, startTestApp } from './nest-app';
import { samlEnv } from './saml-fixtures';
import type { EnvSpec, ServiceDefinition } from '../../libs/platform/src';

export type { TestApp };
export const AAI_ADMIN_TOKEN = 'aai-admin-token-0123456789';

/**
 * The real aai-bridge AppModule on a fresh database, with fresh SP keys and IdP metadata files
 * (require: jest runs CommonJS, and the config is read when the module is loaded).
 */
export function startAaiBridge(env: Record<string, string> = {}): Promise<TestApp> {
  return startTestApp(
    () =>
      (require('../../apps/aai-bridge/src/service') as typeof import('../../apps/aai-bridge/src/service'))
        .aaiBridgeService as unknown as ServiceDefinition<EnvSpec>,
    AAI_ADMIN_TOKEN,
    { AAI_ADMIN_TOKEN, ...samlEnv(mkdtempSync(join(tmpdir(), 'aai-saml-')), 'http://127.0.0.1:8081'), ...env },
  );
}
