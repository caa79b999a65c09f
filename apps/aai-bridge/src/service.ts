import { ServiceDefinition } from '@app/platform';
import { AppModule } from './app.module';
import { aaiBridgeEnv } from './config';

/** aai-bridge as the platform's bootstrap (and the e2e tests) see it. */
export const aaiBridgeService: ServiceDefinition<typeof aaiBridgeEnv> = {
  name: 'aai-bridge',
  summary: 'INFN AAI (SAML 2.0) login mapped to Keystone projects and roles',
  appModule: AppModule,
  env: aaiBridgeEnv,
  dataDir: (config) => config.AAI_DATA_DIR,
  // Its pages, redirects and cookies are written with express's response helpers; logins are not a rate.
  http: 'express',
};
