import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { HostnameKey } from '@app/mac';
import { PreparedStatement, preparedStatement, queryPrepared } from '@app/platform/database/prepared-statement';
import { isUniqueViolation } from '@app/platform/database/unique-violation';
import type { PortRequest } from './allocation-policy';

export interface AllocationRow {
  portId: string;
  mac: string;
  poolId: number;
  pool: string;
  state: 'reserved' | 'allocated';
  hostname: string | null;
  ipv4: string | null;
  ipv6: string | null;
  deviceId: string | null;
  deviceOwner: string | null;
  projectId: string | null;
  networkId: string | null;
  expiresAt: Date | null;
}

const ALLOCATION_COLUMNS = `
  t.port_id AS "portId", t.mac::text AS mac, t.pool_id AS "poolId", p.name AS pool, t.state::text AS state,
  t.hostname, host(t.ipv4) AS ipv4, host(t.ipv6) AS ipv6, t.device_id AS "deviceId", t.device_owner AS "deviceOwner",
  t.project_id AS "projectId", t.network_id AS "networkId", t.expires_at AS "expiresAt"`;

/**
 * Takes the candidate row (locked, skipping rows another transaction holds), marks it reserved
 * for the port and appends the history row, all in ONE statement: atomic on its own, one round
 * trip, and safe with any number of service instances on the database. It takes nothing when the
 * port already holds a MAC (a retry): the caller then reads that one, off the hot path.
 */
const reserveStatement = (candidate: string) => `
  WITH candidate AS (${candidate.replace('WHERE', 'WHERE NOT EXISTS (SELECT 1 FROM macs held WHERE held.port_id = $1) AND')}),
  taken AS (
    UPDATE macs m SET state = 'reserved', port_id = $1, device_id = $2, device_owner = $3, project_id = $4,
           network_id = $5, expires_at = now() + make_interval(secs => p.reservation_ttl_seconds), state_changed_at = now()
    FROM candidate c, pools p
    WHERE m.mac = c.mac AND p.id = m.pool_id AND m.state = 'free'
    RETURNING m.*
  ),
  logged AS (
    INSERT INTO mac_history (mac, pool, action, port_id, device_id, device_owner, project_id, network_id, actor)
    SELECT t.mac, p.name, 'reserved', t.port_id, t.device_id, t.device_owner, t.project_id, t.network_id, $6
    FROM taken t JOIN pools p ON p.id = t.pool_id
  )
  SELECT ${ALLOCATION_COLUMNS} FROM taken t JOIN pools p ON p.id = t.pool_id`;

/** The statement used for a pool-order allocation; the benchmark runs this very text over raw pg. */
export const RESERVE_FROM_POOL_SQL = reserveStatement(`
  SELECT mac FROM macs WHERE pool_id = $7 AND state = 'free'
  ORDER BY (hostname IS NOT NULL), available_since, mac
  LIMIT 1 FOR UPDATE SKIP LOCKED`);

// $7: pool ids admitted, in try order; $8: full hostname, $9: short, $10: whether $8 is qualified.
const RESERVE_BY_HOSTNAME_SQL = reserveStatement(`
  SELECT m.mac FROM macs m
  WHERE m.state = 'free' AND m.hostname IS NOT NULL AND split_part(m.hostname, '.', 1) = $9
    AND m.pool_id = ANY($7::int[])
    AND (m.hostname = $8 OR strpos(m.hostname, '.') = 0 OR NOT $10::boolean)
  ORDER BY (m.hostname = $8) DESC, array_position($7::int[], m.pool_id), m.mac
  LIMIT 1 FOR UPDATE SKIP LOCKED`);

// $7: pool ids admitted; $8: the requested MAC.
const RESERVE_REQUESTED_SQL = reserveStatement(`
  SELECT mac FROM macs WHERE mac = $8::macaddr AND state = 'free' AND pool_id = ANY($7::int[])
  FOR UPDATE SKIP LOCKED`);

// The hot path's statements run prepared: parsed and planned once per connection, not per call.
// The benchmark's raw-pg baseline runs RESERVE_FROM_POOL the same way.
export const RESERVE_FROM_POOL = preparedStatement('macpool_reserve_from_pool', RESERVE_FROM_POOL_SQL);
const RESERVE_BY_HOSTNAME = preparedStatement('macpool_reserve_by_hostname', RESERVE_BY_HOSTNAME_SQL);
const RESERVE_REQUESTED = preparedStatement('macpool_reserve_requested', RESERVE_REQUESTED_SQL);

export class PortAlreadyHasMac extends Error {}

@Injectable()
export class AllocationRepository {
  constructor(private readonly db: DataSource) {}

  async findByPort(portId: string, m: EntityManager = this.db.manager): Promise<AllocationRow | null> {
    const rows = await m.query(`SELECT ${ALLOCATION_COLUMNS} FROM macs t JOIN pools p ON p.id = t.pool_id WHERE t.port_id = $1`, [portId]);
    return rows[0] ?? null;
  }

  private async reserve(
    statement: PreparedStatement,
    port: PortRequest,
    actor: string,
    extra: unknown[],
    m: EntityManager,
  ): Promise<AllocationRow | null> {
    try {
      const rows = await queryPrepared<AllocationRow>(m, statement, [
        port.portId,
        port.deviceId ?? null,
        port.deviceOwner ?? null,
        port.projectId ?? null,
        port.networkId ?? null,
        actor,
        ...extra,
      ]);
      return rows[0] ?? null;
    } catch (err) {
      // Another request for the same port won the race (port_id is unique): the caller re-reads.
      if (isUniqueViolation(err)) throw new PortAlreadyHasMac();
      throw err;
    }
  }

  reserveFromPool(port: PortRequest, actor: string, poolId: number, m: EntityManager = this.db.manager) {
    return this.reserve(RESERVE_FROM_POOL, port, actor, [poolId], m);
  }

  reserveByHostname(port: PortRequest, actor: string, poolIds: number[], host: HostnameKey, m: EntityManager = this.db.manager) {
    return this.reserve(RESERVE_BY_HOSTNAME, port, actor, [poolIds, host.full, host.short, host.qualified], m);
  }

  reserveRequested(port: PortRequest, actor: string, poolIds: number[], mac: string, m: EntityManager = this.db.manager) {
    return this.reserve(RESERVE_REQUESTED, port, actor, [poolIds, mac], m);
  }

  /** reserved → allocated (idempotent: an allocated port stays as it is, no second history row). */
  async commit(portId: string, actor: string): Promise<AllocationRow | null> {
    await this.db.query(
      `WITH done AS (
         UPDATE macs SET state = 'allocated', expires_at = NULL, state_changed_at = now()
         WHERE port_id = $1 AND state = 'reserved' RETURNING *
       ), logged AS (
         INSERT INTO mac_history (mac, pool, action, port_id, device_id, device_owner, project_id, network_id, actor)
         SELECT d.mac, p.name, 'committed', d.port_id, d.device_id, d.device_owner, d.project_id, d.network_id, $2
         FROM done d JOIN pools p ON p.id = d.pool_id
       )
       SELECT count(*) FROM done`,
      [portId, actor],
    );
    return this.findByPort(portId);
  }

  /** Live → quarantined for the pool's quarantine time (free at once when it is 0). */
  async release(portId: string, actor: string): Promise<boolean> {
    const rows = await this.db.query(
      `WITH old AS (
         SELECT m.mac, m.port_id, m.device_id, m.device_owner, m.project_id, m.network_id, p.name AS pool, p.quarantine_seconds
         FROM macs m JOIN pools p ON p.id = m.pool_id WHERE m.port_id = $1 FOR UPDATE OF m
       ), freed AS (
         UPDATE macs m SET
           state = CASE WHEN o.quarantine_seconds > 0 THEN 'quarantined'::mac_state ELSE 'free'::mac_state END,
           available_since = now() + make_interval(secs => o.quarantine_seconds),
           port_id = NULL, device_id = NULL, device_owner = NULL, project_id = NULL, network_id = NULL,
           expires_at = NULL, state_changed_at = now()
         FROM old o WHERE m.mac = o.mac RETURNING m.mac
       ), logged AS (
         INSERT INTO mac_history (mac, pool, action, port_id, device_id, device_owner, project_id, network_id, actor)
         SELECT o.mac, o.pool, 'released', o.port_id, o.device_id, o.device_owner, o.project_id, o.network_id, $2 FROM old o
       )
       SELECT count(*)::int AS n FROM freed`,
      [portId, actor],
    );
    return rows[0].n > 0;
  }

  /** Expired reservations → free, ended quarantines → free; both appended to history. */
  async sweep(): Promise<{ expired: number; unquarantined: number }> {
    const expired = await this.db.query(
      `WITH old AS (
         SELECT m.mac, m.port_id, m.device_id, m.device_owner, m.project_id, m.network_id, p.name AS pool
         FROM macs m JOIN pools p ON p.id = m.pool_id
         WHERE m.state = 'reserved' AND m.expires_at < now()
         ORDER BY m.expires_at LIMIT 10000 FOR UPDATE OF m SKIP LOCKED
       ), freed AS (
         UPDATE macs m SET state = 'free', available_since = now(), port_id = NULL, device_id = NULL, device_owner = NULL,
           project_id = NULL, network_id = NULL, expires_at = NULL, state_changed_at = now()
         FROM old o WHERE m.mac = o.mac RETURNING m.mac
       ), logged AS (
         INSERT INTO mac_history (mac, pool, action, port_id, device_id, device_owner, project_id, network_id, actor)
         SELECT o.mac, o.pool, 'expired', o.port_id, o.device_id, o.device_owner, o.project_id, o.network_id, 'system' FROM old o
       )
       SELECT count(*)::int AS n FROM freed`,
    );
    const unquarantined = await this.db.query(
      `WITH old AS (
         SELECT m.mac, p.name AS pool FROM macs m JOIN pools p ON p.id = m.pool_id
         WHERE m.state = 'quarantined' AND m.available_since <= now()
         ORDER BY m.available_since LIMIT 10000 FOR UPDATE OF m SKIP LOCKED
       ), freed AS (
         UPDATE macs m SET state = 'free', state_changed_at = now() FROM old o WHERE m.mac = o.mac RETURNING m.mac
       ), logged AS (
         INSERT INTO mac_history (mac, pool, action, actor) SELECT o.mac, o.pool, 'quarantine_ended', 'system' FROM old o
       )
       SELECT count(*)::int AS n FROM freed`,
    );
    return { expired: expired[0].n, unquarantined: unquarantined[0].n };
  }
}
