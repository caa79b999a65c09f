/**
 * SQL deleting at most `limit` rows of `table` matching `where`, returning `n`, how many it
 * deleted. The rows are picked by ctid with LIMIT (DELETE has no LIMIT of its own), and `where`
 * is checked again on delete: a row changed since it was picked is left for a later batch.
 * `= ANY(ARRAY(...))` rather than `IN (...)`: PostgreSQL then fetches the picked rows by TID
 * instead of joining against a scan of the whole table.
 */
export function batchDeleteSql(table: string, where: string, limitParam: string): string {
  return (
    `WITH d AS (DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE ${where} LIMIT ${limitParam})) AND ${where} RETURNING 1) ` +
    'SELECT count(*)::int AS n FROM d'
  );
}
