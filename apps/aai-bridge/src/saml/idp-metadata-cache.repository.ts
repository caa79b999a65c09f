import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The last good IdP metadata per source URL, in PostgreSQL (shared by both nodes). */
@Injectable()
export class IdpMetadataCacheRepository {
  constructor(private readonly db: DataSource) {}

  async save(source: string, xml: string): Promise<void> {
    await this.db.query(
      `INSERT INTO idp_metadata_cache (source, xml) VALUES ($1, $2) ON CONFLICT (source) DO UPDATE SET xml = EXCLUDED.xml, fetched_at = now()`,
      [source, xml],
    );
  }

  async latest(source: string): Promise<{ xml: string; fetchedAt: Date } | undefined> {
    const rows = await this.db.query(`SELECT xml, fetched_at AS "fetchedAt" FROM idp_metadata_cache WHERE source = $1`, [source]);
    return rows[0];
  }
}
