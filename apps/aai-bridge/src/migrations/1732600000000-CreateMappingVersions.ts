import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateMappingVersions1732600000000 implements MigrationInterface {
  name = 'CreateMappingVersions1732600000000';

  async up(q: QueryRunner): Promise<void> {
    // Every upload is a new version: the current mapping is the latest, the rest is its history.
    await q.query(`
      CREATE TABLE mapping_versions (
        version     serial PRIMARY KEY,
        rules       jsonb NOT NULL,
        actor       text NOT NULL,
        comment     text,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE mapping_versions');
  }
}
