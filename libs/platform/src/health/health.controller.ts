import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ReadinessChecks } from './readiness';
import { Public } from '../auth/roles';
import { MigrationRunner } from '../database/database.module';

/**
 * live: the process answers. ready: the database answers, the schema is migrated and the
 * service's own checks (ReadinessChecks) pass.
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly migrations: MigrationRunner,
    private readonly serviceChecks: ReadinessChecks,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 2000 }),
      () => {
        const check = this.indicators.check('migrations');
        return this.migrations.migrationsDone ? check.up() : check.down({ message: 'migrations not finished' });
      },
      ...this.serviceChecks.entries().map(([name, run]) => () => {
        const problem = run();
        const check = this.indicators.check(name);
        return problem === null ? check.up() : check.down({ message: problem });
      }),
    ]);
  }
}
