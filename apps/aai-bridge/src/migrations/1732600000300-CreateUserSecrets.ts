import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUserSecrets1732600000300 implements MigrationInterface {
  name = 'CreateUserSecrets1732600000300';

  async up(q: QueryRunner): Promise<void> {
    // The bridge's TOTP secret per Keystone user, sealed with AAI_SECRET_KEY (never in clear).
    await q.query(`
      CREATE TABLE user_secrets (
        keystone_user_id  text PRIMARY KEY,
        sealed_secret     text NOT NULL,
        credential_id     text NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE user_secrets');
  }
}
