import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdpMetadataCache1732600000400 implements MigrationInterface {
  name = 'CreateIdpMetadataCache1732600000400';

  async up(q: QueryRunner): Promise<void> {
    // The last IdP metadata fetched from a URL that parsed, so a node starts (a failover) while
    // the federation's IdP is unreachable.
    await q.query(`
      CREATE TABLE idp_metadata_cache (
        source      text PRIMARY KEY,
        xml         text NOT NULL,
        fetched_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE idp_metadata_cache');
  }
}
