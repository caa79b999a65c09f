import { MigrationInterface, QueryRunner } from 'typeorm';

/** Token roles are each service's own now (checked by the token API), not a list in the schema. */
export class TokenRolesDeclaredByService1764500000000 implements MigrationInterface {
  name = 'TokenRolesDeclaredByService1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE api_tokens DROP CONSTRAINT IF EXISTS api_tokens_role_check');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('admin', 'hook', 'reader'))`);
  }
}
