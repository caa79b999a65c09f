import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MacSearchField } from './dto/mac-search.query';

export interface MacMatch {
  mac: string;
  pool: string;
  current: boolean;
  hostname: string | null;
  portId: string | null;
  deviceId: string | null;
  projectId: string | null;
  at: Date;
}

const CURRENT_COLUMN: Record<MacSearchField, string> = {
  hostname: 'm.hostname',
  portId: 'm.port_id',
  deviceId: 'm.device_id',
  projectId: 'm.project_id',
};
// The history keeps no hostname: a hostname is the uploaded metadata of a MAC as it is now.
const HISTORY_COLUMN: Record<MacSearchField, string | null> = {
  hostname: null,
  portId: 'port_id',
  deviceId: 'device_id',
  projectId: 'project_id',
};

@Injectable()
export class MacSearchRepository {
  constructor(private readonly db: DataSource) {}

  /** MACs matching now, and MACs whose history names the port, device or project (last event per MAC). */
  async search(by: MacSearchField, value: string, limit: number): Promise<{ current: MacMatch[]; past: MacMatch[] }> {
    const current: MacMatch[] = await this.db.query(
      `SELECT m.mac::text AS mac, p.name AS pool, true AS current, m.hostname, m.port_id AS "portId", m.device_id AS "deviceId",
              m.project_id AS "projectId", m.state_changed_at AS at
       FROM macs m JOIN pools p ON p.id = m.pool_id WHERE ${CURRENT_COLUMN[by]} = $1 ORDER BY m.state_changed_at DESC LIMIT $2`,
      [value, limit],
    );
    const column = HISTORY_COLUMN[by];
    const past: MacMatch[] = column
      ? await this.db.query(
          `SELECT * FROM (
             SELECT DISTINCT ON (mac) mac::text AS mac, pool, false AS current, NULL::text AS hostname, port_id AS "portId",
                    device_id AS "deviceId", project_id AS "projectId", at
             FROM mac_history WHERE ${column} = $1 ORDER BY mac, at DESC) last
           ORDER BY at DESC LIMIT $2`,
          [value, limit],
        )
      : [];
    return { current, past };
  }
}
