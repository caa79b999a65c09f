import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { ADMIN_ROLE } from './roles';
import { TokenRepository, newToken } from './token.repository';
import { MigrationRunner } from '../database/database.module';

export const ADMIN_TOKEN_NAME = 'admin';
export const adminTokenFile = (dataDir: string) => resolve(join(dataDir, 'admin-token'));

/** Which variables name a service's admin token and data dir (MACPOOL_*, AAI_*). */
export interface AdminTokenSettings {
  tokenVar: string;
  dataDirVar: string;
}
export const ADMIN_TOKEN_SETTINGS = Symbol('ADMIN_TOKEN_SETTINGS');

/**
 * Makes sure an admin can get in: the token given by environment is installed as "admin";
 * without it, the first start on an empty database generates one and writes it (mode 600) to the
 * data dir. The token itself is never logged, only where it is.
 */
@Injectable()
export class AdminTokenBootstrap {
  private readonly logger = new Logger(AdminTokenBootstrap.name);

  constructor(
    migrations: MigrationRunner,
    private readonly tokens: TokenRepository,
    private readonly config: ConfigService,
    @Inject(ADMIN_TOKEN_SETTINGS) private readonly settings: AdminTokenSettings,
  ) {
    migrations.registerStartupTask((m) => this.ensureAdmin(m));
  }

  private async ensureAdmin(m: EntityManager): Promise<void> {
    const given = this.config.get<string>(this.settings.tokenVar);
    if (given) {
      await this.tokens.upsert(ADMIN_TOKEN_NAME, ADMIN_ROLE, given, m);
      this.logger.log(`admin token set from ${this.settings.tokenVar}`);
      return;
    }
    if ((await this.tokens.countByRole(ADMIN_ROLE, m)) > 0) return;
    const token = newToken();
    const dataDir = this.config.getOrThrow<string>(this.settings.dataDirVar);
    const file = adminTokenFile(dataDir);
    await mkdir(resolve(dataDir), { recursive: true });
    await writeFile(file, `${token}\n`, { mode: 0o600 });
    await this.tokens.create(ADMIN_TOKEN_NAME, ADMIN_ROLE, token, m);
    this.logger.warn(`no admin token existed: created one and wrote it to ${file} (read it with: cat ${file})`);
  }
}
