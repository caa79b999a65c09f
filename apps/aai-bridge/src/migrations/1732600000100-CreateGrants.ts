import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateGrants1732600000100 implements MigrationInterface {
  name = 'CreateGrants1732600000100';

  async up(q: QueryRunner): Promise<void> {
    // What the bridge itself granted in Keystone: only these are ever revoked by it.
    // target: "<projectId>/<roleId>" for a role, "<groupId>" for a group membership.
    await q.query(`
      CREATE TABLE keystone_grants (
        keystone_user_id  text NOT NULL,
        user_name         text NOT NULL,
        kind              text NOT NULL CHECK (kind IN ('role', 'group')),
        target            text NOT NULL,
        label             text NOT NULL,
        granted_at        timestamptz NOT NULL DEFAULT now(),
        refreshed_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (keystone_user_id, kind, target)
      )`);
    await q.query('CREATE INDEX keystone_grants_refreshed ON keystone_grants (refreshed_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE keystone_grants');
  }
}
