import { Injectable } from '@nestjs/common';
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import { DataSource } from 'typeorm';
import { batchDeleteSql } from '@app/platform/housekeeping/batch-delete';

/** How long a login may take between the AuthnRequest and the IdP's answer (node-saml's requestIdExpirationPeriodMs too). */
export const REQUEST_ID_LIFETIME_MINUTES = 10;

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
    const rows = await this.db.query(`SELECT value FROM saml_requests WHERE id = $1 AND created_at > now() - make_interval(mins => $2)`, [
      key,
      REQUEST_ID_LIFETIME_MINUTES,
    ]);
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

  /** Deletes up to `limit` request IDs past their lifetime (getAsync no longer returns them); returns how many. */
  async purgeExpiredRequests(limit: number): Promise<number> {
    const rows = await this.db.query(batchDeleteSql('saml_requests', 'created_at <= now() - make_interval(mins => $1)', '$2'), [
      REQUEST_ID_LIFETIME_MINUTES,
      limit,
    ]);
    return rows[0].n;
  }

  /**
   * Deletes up to `limit` seen assertion IDs whose assertion can no longer be accepted: its
   * remembered expiry plus the clock skew, so even an IdP whose clock runs `skewSeconds` ahead
   * can't get a copy past the replay check; returns how many.
   */
  async purgeSeenAssertions(skewSeconds: number, limit: number): Promise<number> {
    const rows = await this.db.query(batchDeleteSql('saml_seen_assertions', 'expires_at < now() - make_interval(secs => $1)', '$2'), [
      skewSeconds,
      limit,
    ]);
    return rows[0].n;
  }
}
