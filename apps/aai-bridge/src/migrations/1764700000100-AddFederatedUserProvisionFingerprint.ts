import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddFederatedUserProvisionFingerprint1764700000100 implements MigrationInterface {
  name = 'AddFederatedUserProvisionFingerprint1764700000100';

  async up(q: QueryRunner): Promise<void> {
    // The last full provisioning of a user: a SHA-256 of everything that decided it (mapped result,
    // rules, plan-changing settings, the bridge's grant records), the result it answered and when.
    // A repeated login with the same fingerprint within AAI_PROVISION_RECHECK_MINUTES answers the
    // stored result without asking Keystone; anything that revokes or disables clears it.
    await q.query(`
      ALTER TABLE federated_users
        ADD COLUMN provision_fingerprint text,
        ADD COLUMN provisioned_result    jsonb,
        ADD COLUMN provisioned_at        timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE federated_users DROP COLUMN provision_fingerprint, DROP COLUMN provisioned_result, DROP COLUMN provisioned_at',
    );
  }
}
