import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { batchDeleteSql } from '../housekeeping/batch-delete';

export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  details?: unknown;
}

/** The one audit writer: who did what to which thing, appended, never updated. */
@Injectable()
export class AuditRepository {
  constructor(private readonly db: DataSource) {}

  async record(entry: AuditEntry, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query('INSERT INTO audit_log (actor, action, target, details) VALUES ($1, $2, $3, $4)', [
      entry.actor,
      entry.action,
      entry.target,
      entry.details === undefined ? null : JSON.stringify(entry.details),
    ]);
  }

  async list(limit = 100): Promise<Array<AuditEntry & { at: Date }>> {
    return this.db.query('SELECT actor, action, target, details, at FROM audit_log ORDER BY id DESC LIMIT $1', [limit]);
  }

  /** Deletes up to `limit` entries older than `days` (by the database's clock, which stamped them); returns how many. */
  async purgeOlderThan(days: number, limit: number): Promise<number> {
    const rows = await this.db.query(batchDeleteSql('audit_log', `at < now() - make_interval(days => $1)`, '$2'), [days, limit]);
    return rows[0].n;
  }
}
