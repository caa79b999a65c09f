import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal, Role } from './roles';
import { randomToken, sha256Hex } from '../crypto/crypto.repository';

export interface TokenInfo {
  name: string;
  role: Role;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export const hashToken = sha256Hex;
export const newToken = randomToken;

/** Bearer tokens, stored only as SHA-256 hashes: a database dump yields no usable token. */
@Injectable()
export class TokenRepository {
  constructor(private readonly db: DataSource) {}

  async findByToken(token: string): Promise<Principal | null> {
    const rows: Array<{ name: string; role: Role }> = await this.db.query('SELECT name, role FROM api_tokens WHERE token_hash = $1', [
      hashToken(token),
    ]);
    return rows[0] ?? null;
  }

  async create(name: string, role: Role, token = newToken(), manager: EntityManager = this.db.manager): Promise<string> {
    await manager.query('INSERT INTO api_tokens (name, role, token_hash) VALUES ($1, $2, $3)', [name, role, hashToken(token)]);
    return token;
  }

  /** Makes `name` hold exactly this token (used for the admin token given by environment). */
  async upsert(name: string, role: Role, token: string, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query(
      `INSERT INTO api_tokens (name, role, token_hash) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role, token_hash = EXCLUDED.token_hash`,
      [name, role, hashToken(token)],
    );
  }

  async countByRole(role: Role, manager: EntityManager = this.db.manager): Promise<number> {
    const rows = await manager.query('SELECT count(*)::int AS n FROM api_tokens WHERE role = $1', [role]);
    return rows[0].n;
  }

  async list(): Promise<TokenInfo[]> {
    return this.db.query('SELECT name, role, created_at AS "createdAt", last_used_at AS "lastUsedAt" FROM api_tokens ORDER BY name');
  }

  async remove(name: string): Promise<boolean> {
    // Wrapped in a SELECT: TypeORM returns [rows, count] for a bare DELETE, rows for a SELECT.
    const [{ n }] = await this.db.query('WITH d AS (DELETE FROM api_tokens WHERE name = $1 RETURNING 1) SELECT count(*)::int AS n FROM d', [
      name,
    ]);
    return n > 0;
  }

  async touch(name: string): Promise<void> {
    await this.db.query('UPDATE api_tokens SET last_used_at = now() WHERE name = $1', [name]);
  }
}
