import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { MacState, Pool, StateCounts, emptyCounts } from './pool';

const SELECT_POOL = `
  SELECT id, name, description, priority,
         json_build_object('networkIds', network_ids, 'projectIds', project_ids, 'availabilityZones', availability_zones) AS scope,
         quarantine_seconds AS "quarantineSeconds", reservation_ttl_seconds AS "reservationTtlSeconds",
         allow_universal AS "allowUniversal", created_at AS "createdAt", updated_at AS "updatedAt"
  FROM pools`;

export type PoolFields = Omit<Pool, 'id' | 'createdAt' | 'updatedAt'>;

/** $1..$9 of the insert and the update, in column order. */
const poolParams = (p: PoolFields) => [
  p.name,
  p.description,
  p.scope.networkIds,
  p.scope.projectIds,
  p.scope.availabilityZones,
  p.priority,
  p.quarantineSeconds,
  p.reservationTtlSeconds,
  p.allowUniversal,
];

@Injectable()
export class PoolRepository {
  constructor(private readonly db: DataSource) {}

  async list(manager: EntityManager = this.db.manager): Promise<Pool[]> {
    return manager.query(`${SELECT_POOL} ORDER BY priority DESC, name`);
  }

  async findByName(name: string, manager: EntityManager = this.db.manager): Promise<Pool | null> {
    const rows = await manager.query(`${SELECT_POOL} WHERE name = $1`, [name]);
    return rows[0] ?? null;
  }

  /** Locks the pool row for the rest of the transaction (uploads and deletes serialise on it). */
  async lockByName(name: string, manager: EntityManager): Promise<Pool | null> {
    const rows = await manager.query(`${SELECT_POOL} WHERE name = $1 FOR UPDATE`, [name]);
    return rows[0] ?? null;
  }

  /** Returns null when the name is taken. */
  async insert(p: PoolFields, manager: EntityManager = this.db.manager): Promise<Pool | null> {
    const rows = await manager.query(
      `INSERT INTO pools (name, description, network_ids, project_ids, availability_zones, priority,
                          quarantine_seconds, reservation_ttl_seconds, allow_universal)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (name) DO NOTHING RETURNING name`,
      poolParams(p),
    );
    return rows.length ? this.findByName(p.name, manager) : null;
  }

  async update(p: PoolFields, manager: EntityManager = this.db.manager): Promise<Pool | null> {
    await manager.query(
      `UPDATE pools SET description = $2, network_ids = $3, project_ids = $4, availability_zones = $5, priority = $6,
              quarantine_seconds = $7, reservation_ttl_seconds = $8, allow_universal = $9, updated_at = now()
       WHERE name = $1`,
      poolParams(p),
    );
    return this.findByName(p.name, manager);
  }

  /** Drops the pool and its MACs (no cascading foreign key: see the migration). */
  async delete(id: number, manager: EntityManager): Promise<void> {
    await manager.query('DELETE FROM macs WHERE pool_id = $1', [id]);
    await manager.query('DELETE FROM pools WHERE id = $1', [id]);
  }

  async countsByPool(manager: EntityManager = this.db.manager): Promise<Map<number, StateCounts>> {
    const rows: Array<{ pool_id: number; state: MacState; n: number }> = await manager.query(
      `SELECT pool_id, 'free' AS state, count(*)::int AS n FROM macs WHERE state = 'free' GROUP BY pool_id
       UNION ALL
       SELECT pool_id, state::text, count(*)::int AS n FROM macs WHERE state <> 'free' GROUP BY pool_id, state`,
    );
    const counts = new Map<number, StateCounts>();
    for (const r of rows) {
      const c = counts.get(r.pool_id) ?? emptyCounts();
      c[r.state] = r.n;
      c.total += r.n;
      counts.set(r.pool_id, c);
    }
    return counts;
  }

  async counts(poolId: number, manager: EntityManager = this.db.manager): Promise<StateCounts> {
    const rows: Array<{ state: MacState; n: number }> = await manager.query(
      `SELECT 'free' AS state, count(*)::int AS n FROM macs WHERE pool_id = $1 AND state = 'free'
       UNION ALL
       SELECT state::text, count(*)::int AS n FROM macs WHERE pool_id = $1 AND state <> 'free' GROUP BY state`,
      [poolId],
    );
    const c = emptyCounts();
    for (const r of rows) {
      c[r.state] = r.n;
      c.total += r.n;
    }
    return c;
  }
}
