import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type ApplyRunStatus = 'running' | 'done' | 'failed';

/** One apply-now: every known user re-provisioned under a mapping version, in batches. */
export interface ApplyRun {
  id: number;
  mappingVersion: number;
  actor: string;
  status: ApplyRunStatus;
  /** The last user (keystone_user_id order) whose batch is done; null: none yet. */
  cursor: string | null;
  total: number;
  processed: number;
  granted: number;
  revoked: number;
  skipped: number;
  /** Users left fully as before by a failure: a resume retries them. */
  failedUsers: string[];
  error: string | null;
  startedAt: Date;
  heartbeatAt: Date;
  finishedAt: Date | null;
}

const COLUMNS = `id, mapping_version AS "mappingVersion", actor, status, cursor, total, processed, granted, revoked, skipped,
  failed_users AS "failedUsers", error, started_at AS "startedAt", heartbeat_at AS "heartbeatAt", finished_at AS "finishedAt"`;

@Injectable()
export class ApplyRunRepository {
  constructor(private readonly db: DataSource) {}

  async create(mappingVersion: number, actor: string, total: number): Promise<ApplyRun> {
    const rows = await this.db.query(
      `INSERT INTO mapping_apply_runs (mapping_version, actor, status, total) VALUES ($1, $2, 'running', $3) RETURNING ${COLUMNS}`,
      [mappingVersion, actor, total],
    );
    return rows[0];
  }

  async get(id: number): Promise<ApplyRun | null> {
    return (await this.db.query(`SELECT ${COLUMNS} FROM mapping_apply_runs WHERE id = $1`, [id]))[0] ?? null;
  }

  async list(limit: number): Promise<ApplyRun[]> {
    return this.db.query(`SELECT ${COLUMNS} FROM mapping_apply_runs ORDER BY id DESC LIMIT $1`, [limit]);
  }

  /** A run still beating since `since` (a crashed node's run stops beating and may be resumed). */
  async activeSince(since: Date): Promise<ApplyRun | null> {
    const rows = await this.db.query(
      `SELECT ${COLUMNS} FROM mapping_apply_runs WHERE status = 'running' AND heartbeat_at >= $1 ORDER BY id DESC LIMIT 1`,
      [since],
    );
    return rows[0] ?? null;
  }

  /** A batch done: counts added, the cursor moved, the failed users replaced. */
  async progress(
    id: number,
    p: { cursor: string | null; processed: number; granted: number; revoked: number; skipped: number; failedUsers: string[] },
  ): Promise<void> {
    await this.db.query(
      `UPDATE mapping_apply_runs SET cursor = $2, processed = processed + $3, granted = granted + $4, revoked = revoked + $5,
         skipped = skipped + $6, failed_users = $7, heartbeat_at = now() WHERE id = $1`,
      [id, p.cursor, p.processed, p.granted, p.revoked, p.skipped, JSON.stringify(p.failedUsers)],
    );
  }

  /** Marks a run running again (a resume); false if another node already resumed it. */
  async restart(id: number, staleBefore: Date): Promise<boolean> {
    const [, count] = await this.db.query(
      `UPDATE mapping_apply_runs SET status = 'running', error = NULL, finished_at = NULL, heartbeat_at = now()
       WHERE id = $1 AND (status = 'failed' OR (status = 'running' AND heartbeat_at < $2))`,
      [id, staleBefore],
    );
    return count === 1;
  }

  async finish(id: number, status: 'done' | 'failed', error: string | null): Promise<void> {
    await this.db.query(`UPDATE mapping_apply_runs SET status = $2, error = $3, finished_at = now(), heartbeat_at = now() WHERE id = $1`, [
      id,
      status,
      error,
    ]);
  }
}
