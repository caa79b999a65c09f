import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';

/** A statement of a hot path, run by name: PostgreSQL parses, analyses and plans it once per connection. */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

export const preparedStatement = (name: string, text: string): PreparedStatement => ({ name, text });

/**
 * Runs a prepared statement on the transaction's connection when `m` belongs to one, else on a
 * pooled connection, as EntityManager.query() would; TypeORM's query() cannot name a statement,
 * so every call would be parsed and planned again (for the allocation statement, a fair share of
 * PostgreSQL's time per allocation). Errors are pg's own, not wrapped in TypeORM's
 * QueryFailedError; the checks in `unique-violation.ts` and `errors/database-errors.ts` read both.
 */
export async function queryPrepared<T = Record<string, unknown>>(
  m: EntityManager,
  statement: PreparedStatement,
  values: unknown[],
): Promise<T[]> {
  const runner = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    return (await client.query({ name: statement.name, text: statement.text, values })).rows as T[];
  } finally {
    if (runner !== m.queryRunner) await runner.release();
  }
}
