import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { batchDeleteSql } from '@app/platform/housekeeping/batch-delete';
import { HistoryEvent } from './holders';

export interface MacRecord {
  mac: string;
  pool: string;
  state: string;
  hostname: string | null;
  ipv4: string | null;
  ipv6: string | null;
  description: string | null;
  portId: string | null;
  deviceId: string | null;
  deviceOwner: string | null;
  projectId: string | null;
  networkId: string | null;
  expiresAt: Date | null;
  availableSince: Date | null;
  stateChangedAt: Date;
}

@Injectable()
export class MacRepository {
  constructor(private readonly db: DataSource) {}

  async find(mac: string): Promise<MacRecord | null> {
    const rows = await this.db.query(
      `SELECT m.mac::text AS mac, p.name AS pool, m.state::text AS state, m.hostname, host(m.ipv4) AS ipv4, host(m.ipv6) AS ipv6,
              m.description, m.port_id AS "portId", m.device_id AS "deviceId", m.device_owner AS "deviceOwner",
              m.project_id AS "projectId", m.network_id AS "networkId", m.expires_at AS "expiresAt",
              CASE WHEN m.available_since = '-infinity' THEN NULL ELSE m.available_since END AS "availableSince",
              m.state_changed_at AS "stateChangedAt"
       FROM macs m JOIN pools p ON p.id = m.pool_id WHERE m.mac = $1::macaddr`,
      [mac],
    );
    return rows[0] ?? null;
  }

  async history(mac: string): Promise<HistoryEvent[]> {
    return this.db.query(
      `SELECT at, mac::text AS mac, pool, action, port_id AS "portId", device_id AS "deviceId", device_owner AS "deviceOwner",
              project_id AS "projectId", network_id AS "networkId", actor
       FROM mac_history WHERE mac = $1::macaddr ORDER BY at, id`,
      [mac],
    );
  }

  /** Deletes up to `limit` history events older than `days` (by the database's clock, which stamped them); returns how many. */
  async purgeHistoryOlderThan(days: number, limit: number): Promise<number> {
    const rows = await this.db.query(batchDeleteSql('mac_history', 'at < now() - make_interval(days => $1)', '$2'), [days, limit]);
    return rows[0].n;
  }
}
