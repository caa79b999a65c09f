import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTokensAndAuditLog1732500000000 implements MigrationInterface {
  name = 'CreateTokensAndAuditLog1732500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_tokens (
        name          text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9_.@-]{1,64}$'),
        role          text NOT NULL CHECK (role IN ('admin', 'hook', 'reader')),
        token_hash    char(64) NOT NULL UNIQUE,
        created_at    timestamptz NOT NULL DEFAULT now(),
        last_used_at  timestamptz
      )`);
    await q.query(`
      CREATE TABLE audit_log (
        id       bigserial PRIMARY KEY,
        at       timestamptz NOT NULL DEFAULT now(),
        actor    text NOT NULL,
        action   text NOT NULL,
        target   text NOT NULL,
        details  jsonb
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_log');
    await q.query('DROP TABLE api_tokens');
  }
}
