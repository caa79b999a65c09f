import { ServiceDefinition } from '@app/platform';
import { AppModule } from './app.module';
import { macPoolEnv } from './config';

const UPLOAD_PATH = /^\/v1\/pools\/[^/]+\/macs\/?$/;

/** mac-pool as the platform's bootstrap (and the e2e tests) see it. */
export const macPoolService: ServiceDefinition<typeof macPoolEnv> = {
  name: 'mac-pool',
  summary: 'Hands out administrator-defined MAC addresses to OpenStack ports',
  appModule: AppModule,
  env: macPoolEnv,
  dataDir: (config) => config.MACPOOL_DATA_DIR,
  // Allocations come at a rate: Fastify costs about a quarter less CPU per allocation than express.
  http: 'fastify',
  // Uploads are read as streams by the upload controller, JSON ones included.
  streamedBody: (req) => (req.method === 'POST' || req.method === 'PUT') && UPLOAD_PATH.test((req.url ?? '').split('?')[0]),
};
