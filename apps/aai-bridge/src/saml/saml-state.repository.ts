import { Injectable } from '@nestjs/common';
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import { DataSource } from 'typeorm';

/** node-saml's request-ID cache, in PostgreSQL (shared by both nodes). */
@Injectable()
export class SamlStateRepository implements CacheProvider {
  constructor(private readonly db: DataSource) {}

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    const rows = await this.db.query(
      `INSERT INTO saml_requests (id, value) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING value, created_at AS "createdAt"`,
      [key, value],
    );
    return rows[0] ? { value: rows[0].value, createdAt: new Date(rows[0].createdAt).getTime() } : null;
  }

  async getAsync(key: string): Promise<string | null> {
    const rows = await this.db.query(`SELECT value FROM saml_requests WHERE id = $1 AND created_at > now() - interval '10 minutes'`, [key]);
    return rows[0]?.value ?? null;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (key === null) return null;
    const rows = await this.db.query(`WITH d AS (DELETE FROM saml_requests WHERE id = $1 RETURNING value) SELECT value FROM d`, [key]);
    return rows[0]?.value ?? null;
  }

  /** Records an assertion ID; false when it was seen before (a replay). */
  async firstSighting(assertionId: string, expiresAt: Date): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO saml_seen_assertions (id, expires_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [assertionId, expiresAt],
    );
    return rows.length === 1;
  }
}
