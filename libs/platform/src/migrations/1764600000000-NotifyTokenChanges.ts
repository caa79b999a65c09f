import { MigrationInterface, QueryRunner } from 'typeorm';
import { TOKEN_CHANGES_CHANNEL } from '../auth/token-changes';

/**
 * NOTIFY on every change of who a token is: insert, delete, truncate, or an update of its hash,
 * role or name. Not on last_used_at, which every cache miss updates: that would empty the caches
 * of all nodes all the time.
 */
export class NotifyTokenChanges1764600000000 implements MigrationInterface {
  name = 'NotifyTokenChanges1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_api_tokens_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${TOKEN_CHANGES_CHANNEL}', TG_OP);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER api_tokens_changed AFTER INSERT OR DELETE OR TRUNCATE ON api_tokens
      FOR EACH STATEMENT EXECUTE FUNCTION notify_api_tokens_changed()`);
    await q.query(`CREATE TRIGGER api_tokens_changed_identity AFTER UPDATE OF token_hash, role, name ON api_tokens
      FOR EACH STATEMENT EXECUTE FUNCTION notify_api_tokens_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER IF EXISTS api_tokens_changed_identity ON api_tokens');
    await q.query('DROP TRIGGER IF EXISTS api_tokens_changed ON api_tokens');
    await q.query('DROP FUNCTION IF EXISTS notify_api_tokens_changed()');
  }
}
