import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A source's last good copy and what was last said about it, as both nodes see them. */
export interface CachedSource {
  source: string;
  digest: string | null;
  fetchedAt: Date;
  validUntil: Date | null;
  signer: string | null;
  entityCount: number | null;
  lastError: string | null;
  lastErrorAt: Date | null;
}

const COLUMNS = `source, digest, fetched_at AS "fetchedAt", valid_until AS "validUntil", signer, entity_count AS "entityCount",
  last_error AS "lastError", last_error_at AS "lastErrorAt"`;

/** The last good metadata of each source, in PostgreSQL (shared by both nodes, used by a start during an outage). */
@Injectable()
export class MetadataCacheRepository {
  constructor(private readonly db: DataSource) {}

  /** A good copy: written once per content (same digest: only the time moves), clears the last error. */
  async saveGood(
    source: string,
    xml: string,
    o: { digest: string; validUntil?: Date; signer?: string; entityCount: number },
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO idp_metadata_cache (source, xml, digest, valid_until, signer, entity_count, last_error, last_error_at)
       VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL)
       ON CONFLICT (source) DO UPDATE SET
         xml = CASE WHEN idp_metadata_cache.digest IS NOT DISTINCT FROM EXCLUDED.digest THEN idp_metadata_cache.xml ELSE EXCLUDED.xml END,
         digest = EXCLUDED.digest, valid_until = EXCLUDED.valid_until, signer = EXCLUDED.signer,
         entity_count = EXCLUDED.entity_count, fetched_at = now(), last_error = NULL, last_error_at = NULL`,
      [source, xml, o.digest, o.validUntil ?? null, o.signer ?? null, o.entityCount],
    );
  }

  /** The same content fetched again: the copy is fresh, without sending it to the database again. */
  async markFresh(source: string): Promise<void> {
    await this.db.query(`UPDATE idp_metadata_cache SET fetched_at = now(), last_error = NULL, last_error_at = NULL WHERE source = $1`, [
      source,
    ]);
  }

  /** A failed or refused refresh: recorded beside the last good copy, which stays. */
  async recordError(source: string, message: string): Promise<void> {
    await this.db.query(`UPDATE idp_metadata_cache SET last_error = $2, last_error_at = now() WHERE source = $1`, [source, message]);
  }

  async status(source: string): Promise<CachedSource | undefined> {
    const rows = await this.db.query(`SELECT ${COLUMNS} FROM idp_metadata_cache WHERE source = $1`, [source]);
    return rows[0];
  }

  async xml(source: string): Promise<string | undefined> {
    const rows = await this.db.query(`SELECT xml FROM idp_metadata_cache WHERE source = $1`, [source]);
    return rows[0]?.xml;
  }
}
