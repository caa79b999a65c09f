import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSamlStateAndSessions1732600000200 implements MigrationInterface {
  name = 'CreateSamlStateAndSessions1732600000200';

  async up(q: QueryRunner): Promise<void> {
    // In PostgreSQL, not in memory: a login started on one node completes on the other after a
    // failover, and a replayed assertion is refused on either node.
    await q.query(`
      CREATE TABLE saml_requests (
        id          text PRIMARY KEY,
        value       text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE saml_seen_assertions (
        id          text PRIMARY KEY,
        expires_at  timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE sessions (
        token_hash     char(64) PRIMARY KEY,
        identity       jsonb NOT NULL,
        name_id        text,
        name_id_format text,
        session_index  text,
        created_at     timestamptz NOT NULL DEFAULT now(),
        expires_at     timestamptz NOT NULL
      )`);
    await q.query('CREATE INDEX sessions_expiry ON sessions (expires_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sessions');
    await q.query('DROP TABLE saml_seen_assertions');
    await q.query('DROP TABLE saml_requests');
  }
}
