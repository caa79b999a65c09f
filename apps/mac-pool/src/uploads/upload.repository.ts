import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { EntityManager } from 'typeorm';
import { PoolEntry } from '@app/mac';
import { isUniqueViolation } from '@app/platform/database/unique-violation';
import { copyRowOf, poolRowsOf } from './copy-rows';

export interface FileConflict {
  line: number;
  mac: string;
  reason: string;
}

export interface UploadCounts {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
}

const FLUSH_BYTES = 256 * 1024;

/**
 * An upload is staged with COPY into a temp table inside the caller's transaction; every check
 * and the final merge into `macs` are set-based statements over it, so a million-line file is
 * neither held in memory nor written row by row. The temp table is dropped at commit or rollback,
 * and with its session when the process dies.
 */
@Injectable()
export class UploadRepository {
  async createStaging(m: EntityManager): Promise<void> {
    await m.query(`
      CREATE TEMP TABLE upload_staging (
        line integer NOT NULL, mac macaddr NOT NULL, hostname text, ipv4 inet, ipv6 inet, description text
      ) ON COMMIT DROP`);
  }

  /**
   * COPYs the rows (COPY text format, from a spooled upload) into the staging table. On any
   * failure the pipeline destroys the COPY stream, which sends CopyFail and waits for the server
   * to leave COPY mode: the transaction can then roll back and the connection return to the pool.
   */
  async copyIntoStaging(m: EntityManager, rows: Readable): Promise<void> {
    const client = (m.queryRunner as unknown as { databaseConnection: PoolClient }).databaseConnection;
    const stream = client.query(copyFrom('COPY upload_staging (line, mac, hostname, ipv4, ipv6, description) FROM STDIN'));
    await pipeline(rows, stream);
  }

  /**
   * Statistics for the checks' plans. No index: every check and the merge read the whole staged
   * file, which a hash join does in one pass, and building a btree over a million MACs cost more
   * than it saved.
   */
  async analyzeStaging(m: EntityManager): Promise<void> {
    await m.query('ANALYZE upload_staging');
  }

  /** Whether the pool holds no MAC at all (each half is served by one of the partial indexes on pool_id). */
  async poolIsEmpty(m: EntityManager, poolId: number): Promise<boolean> {
    const [row] = await m.query(
      `SELECT NOT EXISTS (SELECT 1 FROM macs WHERE pool_id = $1 AND state = 'free')
          AND NOT EXISTS (SELECT 1 FROM macs WHERE pool_id = $1 AND state <> 'free') AS empty`,
      [poolId],
    );
    return row.empty;
  }

  /**
   * COPYs rows (staged ones from a spooled upload, or rows of `macs` as they are parsed) straight into `macs` as free MACs of the pool,
   * under a savepoint. The primary key is the check: true when every row went in, so no MAC was
   * twice in the file nor anywhere in `macs`; false when one was (the savepoint is rolled back,
   * nothing of the attempt remains, and the caller stages the rows to find out which lines).
   */
  async copyIntoPool(m: EntityManager, poolId: number, rows: Readable, format: 'staged' | 'pool'): Promise<boolean> {
    const client = (m.queryRunner as unknown as { databaseConnection: PoolClient }).databaseConnection;
    await m.query('SAVEPOINT upload_straight_copy');
    try {
      const stream = client.query(copyFrom('COPY macs (pool_id, mac, hostname, ipv4, ipv6, description) FROM STDIN'));
      await (format === 'staged' ? pipeline(rows, poolRowsOf(poolId), stream) : pipeline(rows, stream));
    } catch (err) {
      // If even that fails the connection is gone: the COPY's error says more.
      await m.query('ROLLBACK TO SAVEPOINT upload_straight_copy').catch(() => Promise.reject(err));
      if (isUniqueViolation(err)) return false;
      throw err;
    }
    await m.query('RELEASE SAVEPOINT upload_straight_copy');
    return true;
  }

  /** MACs staged twice or more, each reported at its second line (the order every list of bad lines is merged by). */
  async duplicatesInFile(m: EntityManager, limit: number): Promise<{ total: number; rows: FileConflict[] }> {
    const rows: Array<{ mac: string; lines: number[]; total: number }> = await m.query(
      `SELECT mac::text AS mac, array_agg(line ORDER BY line) AS lines, count(*) OVER ()::int AS total
       FROM upload_staging GROUP BY mac HAVING count(*) > 1 ORDER BY (array_agg(line ORDER BY line))[2] LIMIT $1`,
      [limit],
    );
    return {
      total: rows[0]?.total ?? 0,
      rows: rows.map((r) => ({
        line: r.lines[1],
        mac: r.mac,
        reason: `duplicate of line ${r.lines[0]} (${r.mac} appears on lines ${r.lines.join(', ')})`,
      })),
    };
  }

  /** How many staged MACs the pool already holds (their metadata may change) and other pools hold (bad lines). */
  async overlap(m: EntityManager, poolId: number): Promise<{ samePool: number; otherPools: number }> {
    const [row] = await m.query(
      `SELECT count(*) FILTER (WHERE x.pool_id = $1)::int AS "samePool", count(*) FILTER (WHERE x.pool_id <> $1)::int AS "otherPools"
       FROM upload_staging s JOIN macs x ON x.mac = s.mac`,
      [poolId],
    );
    return row;
  }

  async inOtherPools(m: EntityManager, poolId: number, limit: number): Promise<FileConflict[]> {
    const rows: Array<{ line: number; mac: string; pool: string }> = await m.query(
      `SELECT s.line, s.mac::text AS mac, p.name AS pool
       FROM upload_staging s JOIN macs x ON x.mac = s.mac JOIN pools p ON p.id = x.pool_id
       WHERE x.pool_id <> $1 ORDER BY s.line LIMIT $2`,
      [poolId, limit],
    );
    return rows.map((r) => ({ line: r.line, mac: r.mac, reason: `already in pool ${r.pool}` }));
  }

  /** Live (reserved/allocated) MACs of the pool that the upload leaves out: a replace can't drop them. */
  async liveMissingFromFile(
    m: EntityManager,
    poolId: number,
    limit: number,
  ): Promise<{ total: number; rows: Array<{ mac: string; state: string; portId: string }> }> {
    const rows: Array<{ mac: string; state: string; port_id: string; total: number }> = await m.query(
      `SELECT x.mac::text AS mac, x.state, x.port_id, count(*) OVER ()::int AS total
       FROM macs x WHERE x.pool_id = $1 AND x.state IN ('reserved', 'allocated')
         AND NOT EXISTS (SELECT 1 FROM upload_staging s WHERE s.mac = x.mac)
       ORDER BY x.mac LIMIT $2`,
      [poolId, limit],
    );
    return { total: rows[0]?.total ?? 0, rows: rows.map((r) => ({ mac: r.mac, state: r.state, portId: r.port_id })) };
  }

  /**
   * The free or quarantined MACs of the pool the upload leaves out: exactly what a replace's merge
   * deletes (the merge only adds staged MACs and never changes a state). Read before the merge.
   */
  async freeMissingFromFile(m: EntityManager, poolId: number, limit: number): Promise<{ total: number; macs: string[] }> {
    const rows: Array<{ mac: string; total: number }> = await m.query(
      `SELECT x.mac::text AS mac, count(*) OVER ()::int AS total
       FROM macs x WHERE x.pool_id = $1 AND x.state IN ('free', 'quarantined')
         AND NOT EXISTS (SELECT 1 FROM upload_staging s WHERE s.mac = x.mac)
       ORDER BY x.mac LIMIT $2`,
      [poolId, limit],
    );
    return { total: rows[0]?.total ?? 0, macs: rows.map((r) => r.mac) };
  }

  /**
   * Writes the staged MACs into the pool. `samePool` (from overlap()) lets a fresh upload skip the
   * metadata update and the existence test, the two costly joins on a million rows.
   */
  async merge(m: EntityManager, poolId: number, replace: boolean, staged: number, samePool: number): Promise<UploadCounts> {
    let updated = 0;
    if (samePool > 0) {
      updated = await this.affected(
        m,
        `UPDATE macs x SET hostname = s.hostname, ipv4 = s.ipv4, ipv6 = s.ipv6, description = s.description
         FROM upload_staging s
         WHERE x.mac = s.mac AND x.pool_id = $1
           AND (x.hostname, x.ipv4, x.ipv6, x.description) IS DISTINCT FROM (s.hostname, s.ipv4, s.ipv6, s.description)`,
        [poolId],
      );
    }
    const added = await this.affected(
      m,
      `INSERT INTO macs (mac, pool_id, hostname, ipv4, ipv6, description)
       SELECT s.mac, $1, s.hostname, s.ipv4, s.ipv6, s.description FROM upload_staging s
       ${samePool > 0 ? 'WHERE NOT EXISTS (SELECT 1 FROM macs x WHERE x.mac = s.mac)' : ''}`,
      [poolId],
    );
    let removed = 0;
    if (replace) {
      removed = await this.affected(
        m,
        `DELETE FROM macs x WHERE x.pool_id = $1 AND x.state IN ('free', 'quarantined')
           AND NOT EXISTS (SELECT 1 FROM upload_staging s WHERE s.mac = x.mac)`,
        [poolId],
      );
    }
    return { added, updated, removed, unchanged: staged - added - updated };
  }

  private async affected(m: EntityManager, sql: string, params: unknown[]): Promise<number> {
    // Only the query runner (present inside a transaction) reports affected row counts.
    const result = await m.queryRunner!.query(sql, params, true);
    return result.affected ?? 0;
  }
}

/** Buffers COPY rows and writes them in ~256 KiB chunks, waiting when the destination is slower. */
export class StagingWriter {
  private buffer: string[] = [];
  private bytes = 0;
  rows = 0;

  constructor(private readonly stream: Writable) {}

  /** Buffers one entry's rows; a range is written out as it expands, waiting on the socket. */
  add(entry: PoolEntry): Promise<void> | undefined {
    if (entry.first !== entry.last) return this.addRange(entry);
    this.push(copyRowOf(entry, entry.first));
    return undefined;
  }

  private async addRange(entry: PoolEntry): Promise<void> {
    for (let mac = entry.first; mac <= entry.last; mac++) {
      this.push(copyRowOf(entry, mac));
      if (this.bytes >= FLUSH_BYTES) await this.drain();
    }
  }

  private push(row: string): void {
    this.buffer.push(row);
    this.bytes += row.length;
    this.rows++;
  }

  /** Sends what is buffered once it is worth a write; waits if the socket is full. */
  async drain(): Promise<void> {
    if (this.bytes >= FLUSH_BYTES && !this.writeBuffer()) await once(this.stream, 'drain');
  }

  private writeBuffer(): boolean {
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.bytes = 0;
    return this.stream.write(chunk);
  }

  async end(): Promise<void> {
    if (this.buffer.length) this.writeBuffer();
    const finished = once(this.stream, 'finish');
    this.stream.end();
    await finished;
  }
}
