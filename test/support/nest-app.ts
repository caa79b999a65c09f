import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestDatabase } from './database';
import type { ServiceDefinition, EnvSpec } from '../../libs/platform/src';

export interface TestApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  databaseUrl: string;
  admin: { Authorization: string };
  tokenFor(role: 'hook' | 'reader'): Promise<{ Authorization: string }>;
  close(): Promise<void>;
}

/**
 * A service's real AppModule on a fresh database, configured through the environment exactly as
 * in production. `load` runs after the env is set: the config is read when the module is imported.
 */
export async function startTestApp(
  load: () => ServiceDefinition<EnvSpec>,
  adminToken: string,
  env: Record<string, string>,
): Promise<TestApp> {
  const db = await createTestDatabase();
  Object.assign(process.env, { DATABASE_URL: db.url, LOG_LEVEL: 'error', DB_POOL_SIZE: '10', ...env });
  const service = load();
  const { createHttpApp } = require('../../libs/platform/src/http/http-app') as typeof import('../../libs/platform/src/http/http-app');
  const app = await createHttpApp(service, { logger: false });
  await app.init();
  // Fastify answers only once its plugins have loaded.
  if (service.http === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  const http = request(app.getHttpServer());
  const admin = { Authorization: `Bearer ${adminToken}` };
  return {
    app,
    http,
    databaseUrl: db.url,
    admin,
    async tokenFor(role) {
      const res = await http
        .post('/v1/tokens')
        .set(admin)
        .send({ name: `${role}-${Math.random().toString(36).slice(2, 8)}`, role });
      if (res.status !== 201) throw new Error(`token create failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { Authorization: `Bearer ${res.body.token}` };
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
