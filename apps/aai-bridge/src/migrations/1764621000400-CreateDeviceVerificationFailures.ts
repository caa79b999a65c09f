import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDeviceVerificationFailures1764621000400 implements MigrationInterface {
  name = 'CreateDeviceVerificationFailures1764621000400';

  async up(q: QueryRunner): Promise<void> {
    // Wrong user codes entered, per logged-in user: the rate limit on guessing (both nodes share it).
    await q.query(`
      CREATE TABLE device_verification_failures (
        keystone_user_id  text NOT NULL,
        failed_at         timestamptz NOT NULL
      )`);
    await q.query('CREATE INDEX device_verification_failures_user ON device_verification_failures (keystone_user_id, failed_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE device_verification_failures');
  }
}
