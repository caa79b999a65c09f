import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Grant } from './grant-plan';

export interface StaleGrant extends Grant {
  keystoneUserId: string;
  userName: string;
}

@Injectable()
export class GrantRepository {
  constructor(private readonly db: DataSource) {}

  async forUser(keystoneUserId: string): Promise<Grant[]> {
    return this.db.query('SELECT kind, target, label FROM keystone_grants WHERE keystone_user_id = $1 ORDER BY kind, target', [
      keystoneUserId,
    ]);
  }

  /** Recorded before the Keystone call: a crash in between leaves a record, never an orphan grant. */
  async record(keystoneUserId: string, userName: string, grants: Grant[]): Promise<void> {
    if (!grants.length) return;
    await this.db.query(
      `INSERT INTO keystone_grants (keystone_user_id, user_name, kind, target, label)
       SELECT $1, $2, g.kind, g.target, g.label FROM jsonb_to_recordset($3::jsonb) AS g(kind text, target text, label text)
       ON CONFLICT (keystone_user_id, kind, target) DO UPDATE SET refreshed_at = now(), label = EXCLUDED.label`,
      [keystoneUserId, userName, JSON.stringify(grants)],
    );
  }

  async forget(keystoneUserId: string, grant: Pick<Grant, 'kind' | 'target'>): Promise<void> {
    await this.db.query('DELETE FROM keystone_grants WHERE keystone_user_id = $1 AND kind = $2 AND target = $3', [
      keystoneUserId,
      grant.kind,
      grant.target,
    ]);
  }

  async notRefreshedSince(cutoff: Date, limit = 1000): Promise<StaleGrant[]> {
    return this.db.query(
      `SELECT keystone_user_id AS "keystoneUserId", user_name AS "userName", kind, target, label
       FROM keystone_grants WHERE refreshed_at < $1 ORDER BY refreshed_at LIMIT $2`,
      [cutoff, limit],
    );
  }
}
