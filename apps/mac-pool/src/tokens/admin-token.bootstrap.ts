import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { MigrationRunner, TokenRepository, newToken } from '@app/platform';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EntityManager } from 'typeorm';
import { MacPoolConfig } from '../config';

export const ADMIN_TOKEN_NAME = 'admin';
export const adminTokenFile = (dataDir: string) => resolve(join(dataDir, 'admin-token'));

/**
 * Makes sure an admin can get in: MACPOOL_ADMIN_TOKEN is installed as the "admin" token; without
 * it, the first start on an empty database generates one and writes it (mode 600) to the data
 * dir. The token itself is never logged, only where it is.
 */
@Injectable()
export class AdminTokenBootstrap {
  private readonly logger = new Logger(AdminTokenBootstrap.name);

  constructor(
    migrations: MigrationRunner,
    private readonly tokens: TokenRepository,
    private readonly config: ConfigService<MacPoolConfig, true>,
  ) {
    migrations.registerStartupTask((m) => this.ensureAdmin(m));
  }

  private async ensureAdmin(m: EntityManager): Promise<void> {
    const given = this.config.get('MACPOOL_ADMIN_TOKEN', { infer: true });
    if (given) {
      await this.tokens.upsert(ADMIN_TOKEN_NAME, 'admin', given, m);
      this.logger.log('admin token set from MACPOOL_ADMIN_TOKEN');
      return;
    }
    if ((await this.tokens.countByRole('admin', m)) > 0) return;
    const token = newToken();
    const dataDir = this.config.get('MACPOOL_DATA_DIR', { infer: true });
    const file = adminTokenFile(dataDir);
    await mkdir(resolve(dataDir), { recursive: true });
    await writeFile(file, `${token}\n`, { mode: 0o600 });
    await this.tokens.create(ADMIN_TOKEN_NAME, 'admin', token, m);
    this.logger.warn(`no admin token existed: created one and wrote it to ${file} (export MACPOOL_TOKEN=$(cat ${file}))`);
  }
}
