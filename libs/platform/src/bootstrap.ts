import { Server } from 'node:http';
import { INestApplication } from '@nestjs/common';
import pino from 'pino';
import { ConfigError, EnvSpec, EnvValues, describeEnv, loadEnv } from './config/env';
import { EmbeddedPostgres } from './database/embedded-postgres';
import { HttpAppDefinition, createHttpApp } from './http/http-app';

export interface ServiceDefinition<S extends EnvSpec> extends HttpAppDefinition {
  env: S;
  /** Where an embedded PostgreSQL keeps its data when DATABASE_URL is unset. */
  dataDir(config: EnvValues<S>): string;
}

/**
 * main() of a service: validated config (or exit 1 naming the bad variables), embedded
 * PostgreSQL when DATABASE_URL is unset, HTTP, and a graceful stop on SIGTERM/SIGINT that drains
 * in-flight requests, closes the pool and stops the embedded PostgreSQL, never orphaning it.
 */
export async function runService<S extends EnvSpec>(def: ServiceDefinition<S>): Promise<void> {
  const log = pino({ base: { service: def.name } });
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${def.name}: ${def.summary}\n\nConfiguration (environment variables):\n${describeEnv(def.env)}\n`);
    // Exit now: loading the app module already started Nest's config validation, whose refusal of
    // an unconfigured environment would otherwise surface later as an unhandled rejection (exit 1).
    process.exit(0);
  }
  let config: EnvValues<S>;
  try {
    config = loadEnv(def.env, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${def.name}: refusing to start, ${err.message}\n`);
    process.exit(1);
  }
  const env = config as Record<string, unknown>;
  let embedded: EmbeddedPostgres | undefined;
  let app: INestApplication | undefined;
  let stopping = false;

  const stop = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'shutting down');
    const server = app?.getHttpServer() as Server | undefined;
    const timeout = setTimeout(() => {
      log.warn('drain timeout reached, closing remaining connections');
      server?.closeAllConnections();
    }, Number(env.SHUTDOWN_TIMEOUT_MS));
    // A keep-alive connection turns idle only after close() began: drop those as they appear
    // instead of waiting out the keep-alive timeout.
    const idle = setInterval(() => server?.closeIdleConnections(), 100);
    try {
      await app?.close();
    } catch (err) {
      log.error({ err }, 'error while closing the app');
    }
    clearTimeout(timeout);
    clearInterval(idle);
    try {
      await embedded?.stop();
    } catch (err) {
      log.error({ err }, 'error while stopping the embedded PostgreSQL');
    }
    log.info('stopped');
    process.exit(code);
  };
  process.once('SIGTERM', () => void stop('SIGTERM', 0));
  process.once('SIGINT', () => void stop('SIGINT', 0));

  try {
    if (!env.DATABASE_URL) {
      embedded = new EmbeddedPostgres({
        dataDir: def.dataDir(config),
        port: Number(env.EMBEDDED_PG_PORT),
        log: (line) => log.debug({ component: 'embedded-postgres' }, line),
        notice: (line) => log.warn({ component: 'embedded-postgres' }, line),
      });
      log.info({ dataDir: def.dataDir(config), port: env.EMBEDDED_PG_PORT }, 'DATABASE_URL unset: starting embedded PostgreSQL');
      process.env.DATABASE_URL = await embedded.start();
    }
    app = await createHttpApp(def);
    await app.listen(Number(env.PORT), String(env.HOST));
    log.info({ url: `http://${env.HOST}:${env.PORT}`, docs: `http://${env.HOST}:${env.PORT}/docs` }, `${def.name} listening`);
  } catch (err) {
    log.fatal({ err: err instanceof Error ? { message: err.message, stack: err.stack } : err }, 'start failed');
    process.stderr.write(`${def.name}: start failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await stop('start failed', 1);
  }
}
