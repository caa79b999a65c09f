import { MigrationInterface, QueryRunner } from 'typeorm';
import { POOL_CHANGES_CHANNEL } from '../pools/pool-changes';

/** NOTIFY on every change of the pools table, for the allocation path's cached pool list. */
export class NotifyPoolChanges1764700000000 implements MigrationInterface {
  name = 'NotifyPoolChanges1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_pools_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${POOL_CHANGES_CHANNEL}', TG_OP);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER pools_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pools
      FOR EACH STATEMENT EXECUTE FUNCTION notify_pools_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER IF EXISTS pools_changed ON pools');
    await q.query('DROP FUNCTION IF EXISTS notify_pools_changed()');
  }
}
