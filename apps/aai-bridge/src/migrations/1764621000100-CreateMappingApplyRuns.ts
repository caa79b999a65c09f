import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateMappingApplyRuns1764621000100 implements MigrationInterface {
  name = 'CreateMappingApplyRuns1764621000100';

  async up(q: QueryRunner): Promise<void> {
    // One re-provisioning of every known user under a mapping version ("apply now"). cursor: the
    // last user (in keystone_user_id order) whose batch is done; failed_users: those left fully
    // old, retried by a resume; skipped: users whose attributes were dropped (retention), left to
    // their next login.
    await q.query(`
      CREATE TABLE mapping_apply_runs (
        id                serial PRIMARY KEY,
        mapping_version   integer NOT NULL,
        actor             text NOT NULL,
        status            text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
        cursor            text,
        total             integer NOT NULL,
        processed         integer NOT NULL DEFAULT 0,
        granted           integer NOT NULL DEFAULT 0,
        revoked           integer NOT NULL DEFAULT 0,
        skipped           integer NOT NULL DEFAULT 0,
        failed_users      jsonb NOT NULL DEFAULT '[]',
        error             text,
        started_at        timestamptz NOT NULL DEFAULT now(),
        heartbeat_at      timestamptz NOT NULL DEFAULT now(),
        finished_at       timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE mapping_apply_runs');
  }
}
