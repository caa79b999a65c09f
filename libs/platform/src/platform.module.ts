import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule, ValidationPipe } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { MixedList } from 'typeorm';
import { AuditRepository } from './audit/audit.repository';
import { ADMIN_TOKEN_SETTINGS, AdminTokenBootstrap, AdminTokenSettings } from './auth/admin-token.bootstrap';
import { AuthGuard } from './auth/auth.guard';
import { ADMIN_ROLE, Role, SERVICE_ROLES } from './auth/roles';
import { TokenController } from './auth/token.controller';
import { TokenRepository } from './auth/token.repository';
import { ClockRepository } from './clock/clock.repository';
import { EnvSpec, loadEnv } from './config/env';
import { CryptoRepository } from './crypto/crypto.repository';
import { DatabaseModule } from './database/database.module';
import { ErrorFilter } from './errors/error.filter';
import { HealthController } from './health/health.controller';
import { ReadinessChecks } from './health/readiness';
import { HousekeepingModule } from './housekeeping/housekeeping.module';
import { JsonLogger } from './logging/json-logger';
import { RequestLogMiddleware } from './logging/request-log.middleware';
import { HttpMetricsMiddleware, MetricsController, MetricsRegistry } from './metrics/metrics';
import { CreateTokensAndAuditLog1732500000000 } from './migrations/1732500000000-CreateTokensAndAuditLog';
import { TokenRolesDeclaredByService1764500000000 } from './migrations/1764500000000-TokenRolesDeclaredByService';
import { NotifyTokenChanges1764600000000 } from './migrations/1764600000000-NotifyTokenChanges';

export interface PlatformOptions<S extends EnvSpec = EnvSpec> {
  serviceName: string;
  env: S;
  /**
   * Injection token under which the service's validated configuration is handed out (see
   * configToken()): services inject their typed values, never ConfigService.
   */
  configToken: symbol;
  /** The service's bearer-token roles; `admin` (allowed everything) must be among them. */
  roles: readonly Role[];
  /** Advisory-lock key for migrations: any constant, the same on every node of the service. */
  migrationLockKey: number;
  adminToken: AdminTokenSettings;
  /** The app's own migrations; the platform's tables come first. */
  migrations: MixedList<Function>;
}

/**
 * Everything both services share: validated config, JSON logs, database + migrations, health,
 * metrics, bearer-token auth (global guard, admin token bootstrap, token API), one error shape,
 * one validation pipe, audit writer.
 */
@Global()
@Module({})
export class PlatformModule implements NestModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    if (!options.roles.includes(ADMIN_ROLE)) throw new Error(`${options.serviceName}: roles must include ${ADMIN_ROLE}`);
    const migrations = [
      CreateTokensAndAuditLog1732500000000,
      TokenRolesDeclaredByService1764500000000,
      NotifyTokenChanges1764600000000,
      ...(options.migrations as Function[]),
    ];
    const database = DatabaseModule.forRoot({ migrations, migrationLockKey: options.migrationLockKey });
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          validate: (env) => ({ ...loadEnv(options.env, env), SERVICE_NAME: options.serviceName }),
        }),
        database,
        TerminusModule,
        HousekeepingModule,
      ],
      controllers: [HealthController, MetricsController, TokenController],
      providers: [
        { provide: ADMIN_TOKEN_SETTINGS, useValue: options.adminToken },
        { provide: SERVICE_ROLES, useValue: options.roles },
        {
          provide: options.configToken,
          inject: [ConfigService],
          useFactory: (config: ConfigService) => Object.freeze(Object.fromEntries(Object.keys(options.env).map((k) => [k, config.get(k)]))),
        },
        {
          provide: JsonLogger,
          inject: [ConfigService],
          useFactory: (config: ConfigService) => new JsonLogger(options.serviceName, config.get<string>('LOG_LEVEL') ?? 'info'),
        },
        AdminTokenBootstrap,
        MetricsRegistry,
        ReadinessChecks,
        TokenRepository,
        AuditRepository,
        CryptoRepository,
        ClockRepository,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
        },
      ],
      exports: [
        JsonLogger,
        MetricsRegistry,
        ReadinessChecks,
        TokenRepository,
        AuditRepository,
        CryptoRepository,
        ClockRepository,
        options.configToken,
        // Its DatabaseNotifications: services keep caches that a NOTIFY empties on every node.
        database,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestLogMiddleware, HttpMetricsMiddleware).forRoutes('*path');
  }
}
