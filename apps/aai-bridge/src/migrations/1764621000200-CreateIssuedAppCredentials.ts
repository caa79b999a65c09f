import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIssuedAppCredentials1764621000200 implements MigrationInterface {
  name = 'CreateIssuedAppCredentials1764621000200';

  async up(q: QueryRunner): Promise<void> {
    // Application credentials the bridge issued (ids only, never secrets): deleted when the user
    // loses a role on their project or becomes dormant.
    await q.query(`
      CREATE TABLE issued_app_credentials (
        credential_id     text PRIMARY KEY,
        keystone_user_id  text NOT NULL,
        project_id        text NOT NULL,
        name              text NOT NULL,
        expires_at        timestamptz NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX issued_app_credentials_user_project ON issued_app_credentials (keystone_user_id, project_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE issued_app_credentials');
  }
}
