import { DataSource } from 'typeorm';
import { preparedStatement, queryPrepared } from '../../libs/platform/src/database/prepared-statement';
import { isUniqueViolation } from '../../libs/platform/src/database/unique-violation';
import { createTestDatabase } from '../support/database';

/** The hot path's statements run prepared, on the transaction's connection when there is one. */
describe('queryPrepared on a real PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  const insert = preparedStatement('test_insert_item', 'INSERT INTO items (name) VALUES ($1) RETURNING id, name');

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource({ type: 'postgres', url: db.url, extra: { max: 1 } }).initialize();
    await ds.query('CREATE TABLE items (id serial PRIMARY KEY, name text UNIQUE NOT NULL)');
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('prepares the statement once on the connection and runs it by name after that', async () => {
    expect(await queryPrepared(ds.manager, insert, ['a'])).toEqual([{ id: 1, name: 'a' }]);
    expect(await queryPrepared(ds.manager, insert, ['b'])).toEqual([{ id: 2, name: 'b' }]);
    // One pooled connection (max 1): PostgreSQL holds the statement there, under its name.
    const held = await ds.query(`SELECT name, statement FROM pg_prepared_statements`);
    expect(held).toEqual([{ name: 'test_insert_item', statement: insert.text }]);
  });

  it("runs inside the caller's transaction: a rollback takes its rows back", async () => {
    await expect(
      ds.transaction(async (m) => {
        await queryPrepared(m, insert, ['in-tx']);
        expect(await m.query(`SELECT count(*)::int AS n FROM items WHERE name = 'in-tx'`)).toEqual([{ n: 1 }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await ds.query(`SELECT count(*)::int AS n FROM items WHERE name = 'in-tx'`)).toEqual([{ n: 0 }]);
  });

  it("fails with PostgreSQL's own error, which the callers' checks recognise", async () => {
    const err = await queryPrepared(ds.manager, insert, ['a']).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
  });
});
