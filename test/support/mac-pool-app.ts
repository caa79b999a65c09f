import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { createTestDatabase } from './database';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  databaseUrl: string;
  admin: { Authorization: string };
  tokenFor(role: 'hook' | 'reader'): Promise<{ Authorization: string }>;
  close(): Promise<void>;
}

/**
 * The real mac-pool AppModule on a fresh database, configured through the environment exactly as
 * in production (the config is read when the module is first imported, hence the late import).
 */
export async function startMacPool(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  Object.assign(process.env, {
    DATABASE_URL: db.url,
    MACPOOL_ADMIN_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    DB_POOL_SIZE: '10',
    ...env,
  });
  // require, not import(): jest runs CommonJS, and the config must be read after the env is set.
  const { macPoolService } = require('../../apps/mac-pool/src/service') as typeof import('../../apps/mac-pool/src/service');
  const { configureHttp } = require('../../libs/platform/src/bootstrap') as typeof import('../../libs/platform/src/bootstrap');
  const app = await NestFactory.create(macPoolService.appModule, { bodyParser: false, logger: false, bufferLogs: true });
  configureHttp(app, macPoolService);
  await app.init();
  const http = request(app.getHttpServer());
  const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };
  return {
    app,
    http,
    databaseUrl: db.url,
    admin,
    async tokenFor(role) {
      const res = await http.post('/v1/tokens').set(admin).send({ name: `${role}-${Math.random().toString(36).slice(2, 8)}`, role });
      if (res.status !== 201) throw new Error(`token create failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { Authorization: `Bearer ${res.body.token}` };
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
