import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type LockedRun<T> = { ran: true; result: T } | { ran: false };

/**
 * PostgreSQL advisory locks for work one node at a time should do. The lock is held by one
 * dedicated connection for the whole run: it goes with that connection, so a node that dies (or
 * loses the database) mid-run frees it for the other node.
 */
@Injectable()
export class AdvisoryLockRepository {
  constructor(private readonly db: DataSource) {}

  /** Runs `work` when no other session holds `key`; otherwise returns at once without running it. */
  async runIfFree<T>(key: number, work: () => Promise<T>): Promise<LockedRun<T>> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      const [{ got }] = await runner.query('SELECT pg_try_advisory_lock($1) AS got', [key]);
      if (!got) return { ran: false };
      try {
        return { ran: true, result: await work() };
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }
}
