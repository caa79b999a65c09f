import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, EntityManager, MixedList } from 'typeorm';
import { DatabaseNotifications } from './database-notifications';

/** How often a starting service tries its database again. */
const START_RETRY_MS = 500;

/** Injection token: the advisory-lock key the service declared (PlatformOptions.migrationLockKey). */
export const MIGRATION_LOCK_KEY = Symbol('MIGRATION_LOCK_KEY');

/**
 * Runs the migrations at start under a PostgreSQL advisory lock, so two nodes starting together
 * (the active/passive pair right after a failover) don't race; readiness waits for it.
 */
@Injectable()
export class MigrationRunner implements OnModuleInit {
  private readonly logger = new Logger(MigrationRunner.name);
  private done = false;
  private readonly afterMigrations: Array<(m: EntityManager) => Promise<void>> = [];

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MIGRATION_LOCK_KEY) private readonly lockKey: number,
  ) {}

  get migrationsDone(): boolean {
    return this.done;
  }

  /** Work that must run once per start, after the schema exists and under the same lock. */
  registerStartupTask(task: (m: EntityManager) => Promise<void>): void {
    this.afterMigrations.push(task);
  }

  async onModuleInit(): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [this.lockKey]);
      const applied = await this.dataSource.runMigrations({ transaction: 'all' });
      for (const m of applied) this.logger.log(`applied migration ${m.name}`);
      for (const task of this.afterMigrations) await task(runner.manager);
      this.done = true;
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [this.lockKey]).catch(() => undefined);
      await runner.release();
    }
  }
}

export interface DatabaseModuleOptions {
  migrations: MixedList<Function>;
  /** Any constant; it only has to be the same on every node of one service. */
  migrationLockKey: number;
}

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            type: 'postgres',
            url: config.getOrThrow<string>('DATABASE_URL'),
            migrations: options.migrations,
            migrationsRun: false,
            synchronize: false,
            logging: ['error'],
            extra: {
              max: config.get<number>('DB_POOL_SIZE') ?? 20,
              application_name: config.get<string>('SERVICE_NAME') ?? 'openstack-ha-plumbing',
              // A database that does not answer (a host gone, not refusing) fails a request within
              // this, as 503 database_unavailable, instead of holding it until the client gives up.
              connectionTimeoutMillis: 5000,
              // A new connection costs a backend start, authentication, a cold catalog cache and
              // preparing the hot statements again: port creates come minutes apart in quiet hours,
              // so idle connections are kept that long rather than pg's 10 s. TCP keepalive finds
              // those a failover left behind (the VIP's new owner answers a probe with a reset).
              idleTimeoutMillis: (config.get<number>('DB_IDLE_TIMEOUT_SECONDS') ?? 300) * 1000,
              keepAlive: true,
              keepAliveInitialDelayMillis: 10_000,
            },
            // A service may start before its database answers (started together, or PostgreSQL
            // still recovering): keep trying, often enough that readiness follows the database's
            // within half a second.
            retryAttempts: Math.ceil(((config.get<number>('DB_START_WAIT_SECONDS') ?? 30) * 1000) / START_RETRY_MS),
            retryDelay: START_RETRY_MS,
          }),
        }),
      ],
      providers: [{ provide: MIGRATION_LOCK_KEY, useValue: options.migrationLockKey }, MigrationRunner, DatabaseNotifications],
      exports: [MigrationRunner, DatabaseNotifications],
    };
  }
}
