/** PostgreSQL's SQLSTATE for a unique constraint or index refusing a row. */
const UNIQUE_VIOLATION = '23505';

interface DatabaseErrorLike {
  code?: unknown;
  /** TypeORM's QueryFailedError keeps pg's error here (and copies its fields onto itself). */
  driverError?: { code?: unknown };
}

/** Whether a database error is a unique violation (a name or key taken, often by a concurrent request). */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as DatabaseErrorLike;
  return e.code === UNIQUE_VIOLATION || e.driverError?.code === UNIQUE_VIOLATION;
}
