import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateFederatedUsers1764621000000 implements MigrationInterface {
  name = 'CreateFederatedUsers1764621000000';

  async up(q: QueryRunner): Promise<void> {
    // Per federated user: the attributes the rules read at the last login (personal data: only
    // those, cleared after AAI_ATTRIBUTE_RETENTION_DAYS), the issuing IdP, when the user was last
    // seen, and since when the bridge holds the account disabled as dormant.
    await q.query(`
      CREATE TABLE federated_users (
        keystone_user_id  text PRIMARY KEY,
        user_name         text NOT NULL,
        idp               text,
        attributes        jsonb,
        last_seen_at      timestamptz NOT NULL,
        dormant_since     timestamptz
      )`);
    await q.query('CREATE INDEX federated_users_last_seen ON federated_users (last_seen_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE federated_users');
  }
}
