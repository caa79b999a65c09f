import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CryptoRepository } from '@app/platform';
import { batchDeleteSql } from '@app/platform/housekeeping/batch-delete';

export interface SessionIdentity {
  keystoneUserId: string;
  userName: string;
  domainId: string;
  email?: string;
  displayName?: string;
  projects: Array<{ id: string; name: string; roles: string[] }>;
  groups: Array<{ id: string; name: string }>;
  attributes: Record<string, string[]>;
}

export interface Session {
  identity: SessionIdentity;
  nameId: string | null;
  nameIdFormat: string | null;
  sessionIndex: string | null;
  expiresAt: Date;
}

/** Browser sessions in PostgreSQL; the cookie holds a random token, the table only its hash. */
@Injectable()
export class SessionRepository {
  constructor(
    private readonly db: DataSource,
    private readonly crypto: CryptoRepository,
  ) {}

  async create(s: Session): Promise<string> {
    const token = this.crypto.randomToken();
    await this.db.query(
      `INSERT INTO sessions (token_hash, identity, name_id, name_id_format, session_index, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [this.crypto.hashToken(token), JSON.stringify(s.identity), s.nameId, s.nameIdFormat, s.sessionIndex, s.expiresAt],
    );
    return token;
  }

  async find(token: string): Promise<Session | null> {
    const rows = await this.db.query(
      `SELECT identity, name_id AS "nameId", name_id_format AS "nameIdFormat", session_index AS "sessionIndex", expires_at AS "expiresAt"
       FROM sessions WHERE token_hash = $1 AND expires_at > now()`,
      [this.crypto.hashToken(token)],
    );
    return rows[0] ?? null;
  }

  async delete(token: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE token_hash = $1', [this.crypto.hashToken(token)]);
  }

  /** IdP-initiated logout names the user by NameID (and SessionIndex): end those sessions. */
  async deleteByNameId(nameId: string, sessionIndex: string | null): Promise<number> {
    const rows = await this.db.query(
      `WITH d AS (DELETE FROM sessions WHERE name_id = $1 AND ($2::text IS NULL OR session_index = $2) RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [nameId, sessionIndex],
    );
    return rows[0].n;
  }

  /** Deletes up to `limit` expired sessions (find() no longer returns them); returns how many. */
  async purgeExpired(limit: number): Promise<number> {
    const rows = await this.db.query(batchDeleteSql('sessions', 'expires_at <= now()', '$1'), [limit]);
    return rows[0].n;
  }
}
