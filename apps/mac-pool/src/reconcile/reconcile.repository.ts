import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LiveAllocation, PoolMacOnPort } from './reconcile-plan';

@Injectable()
export class ReconcileRepository {
  constructor(private readonly db: DataSource) {}

  async liveAllocations(): Promise<LiveAllocation[]> {
    return this.db.query(
      `SELECT port_id AS "portId", mac::text AS mac, state::text AS state, state_changed_at AS "stateChangedAt"
       FROM macs WHERE state IN ('reserved', 'allocated')`,
    );
  }

  /** The pool's view of those of `macs` that are pool MACs. */
  async poolMacs(macs: string[]): Promise<PoolMacOnPort[]> {
    if (macs.length === 0) return [];
    return this.db.query(`SELECT mac::text AS mac, state::text AS state, port_id AS "portId" FROM macs WHERE mac = ANY($1::macaddr[])`, [
      macs,
    ]);
  }

  /** Runs `work` unless another node is reconciling right now (session advisory lock). */
  async exclusively<T>(work: () => Promise<T>): Promise<T | null> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [RECONCILE_LOCK_KEY]);
      if (!locked) return null;
      try {
        return await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [RECONCILE_LOCK_KEY]);
      }
    } finally {
      await runner.release();
    }
  }
}

const RECONCILE_LOCK_KEY = 0x6d6163726563; // "macrec"
