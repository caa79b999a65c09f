import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddMetadataSourceStatus1764630000000 implements MigrationInterface {
  name = 'AddMetadataSourceStatus1764630000000';

  async up(q: QueryRunner): Promise<void> {
    // Every metadata source (file, URL, aggregate) keeps its last good copy here, with what GET
    // /v1/metadata reports: both nodes read the same copy and the same last error.
    await q.query(`
      ALTER TABLE idp_metadata_cache
        ADD COLUMN digest        text,
        ADD COLUMN valid_until   timestamptz,
        ADD COLUMN signer        text,
        ADD COLUMN entity_count  integer,
        ADD COLUMN last_error    text,
        ADD COLUMN last_error_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE idp_metadata_cache DROP COLUMN digest, DROP COLUMN valid_until, DROP COLUMN signer, DROP COLUMN entity_count, DROP COLUMN last_error, DROP COLUMN last_error_at',
    );
  }
}
