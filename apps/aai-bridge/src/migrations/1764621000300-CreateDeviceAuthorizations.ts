import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDeviceAuthorizations1764621000300 implements MigrationInterface {
  name = 'CreateDeviceAuthorizations1764621000300';

  async up(q: QueryRunner): Promise<void> {
    // CLI logins without a browser (the RFC 8628 device flow). Both codes are kept as SHA-256
    // hashes only. status: pending → approved or denied → issuing → consumed (single use).
    await q.query(`
      CREATE TABLE device_authorizations (
        device_code_hash   text PRIMARY KEY,
        user_code_hash     text NOT NULL UNIQUE,
        requested_project  text,
        cloud_name         text,
        status             text NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'issuing', 'consumed')),
        interval_seconds   integer NOT NULL,
        last_poll_at       timestamptz,
        keystone_user_id   text,
        user_name          text,
        project_id         text,
        project_name       text,
        expires_at         timestamptz NOT NULL,
        created_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX device_authorizations_expires ON device_authorizations (expires_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE device_authorizations');
  }
}
