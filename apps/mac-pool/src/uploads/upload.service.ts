import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { LineError, ParsedBatch, RangePolicy, UploadFormat, parseCsvUpload, parseJsonUpload, parseTextUpload, rangeSize } from '@app/mac';
import { AuditRepository, DomainError, Principal } from '@app/platform';
import { isUniqueViolation } from '@app/platform/database/unique-violation';
import { UploadCounts, UploadRepository } from './upload.repository';
import { MacPoolConfig } from '../config';
import { Pool } from '../pools/pool';
import { PoolService } from '../pools/pool.service';

export interface UploadRequest {
  pool: string;
  replace: boolean;
  dryRun: boolean;
  format: UploadFormat;
  /** The body: a byte stream for text/CSV, parsed JSON for JSON. */
  body: AsyncIterable<Buffer | string> | unknown;
  actor: Principal;
}

export type UploadResult = UploadCounts & { dryRun: boolean };

@Injectable()
export class UploadService {
  private readonly logger = new Logger(UploadService.name);

  constructor(
    private readonly db: DataSource,
    private readonly pools: PoolService,
    private readonly uploads: UploadRepository,
    private readonly audit: AuditRepository,
    @Inject(MacPoolConfig) private readonly config: MacPoolConfig,
  ) {}

  /**
   * All or nothing: the whole file is staged and checked in one transaction; any bad line (syntax,
   * duplicate in the file, MAC of another pool, live MAC a replace would drop) rolls it back with
   * every bad line listed. A dry run rolls back after computing the counts.
   */
  async upload(req: UploadRequest): Promise<UploadResult> {
    const phases = new PhaseTimer();
    try {
      return await this.db.transaction(async (m) => {
        const pool = await this.pools.lockForChange(req.pool, m);
        const staged = await this.stage(req, pool, m);
        phases.mark('parse+copy');
        const samePool = await this.refuseConflicts(req, pool, m);
        phases.mark('checks');
        const counts = await this.uploads.merge(m, pool.id, req.replace, staged, samePool);
        phases.mark('merge');
        this.logger.log({ pool: pool.name, rows: staged, ...counts, dryRun: req.dryRun, ms: phases.ms }, 'upload checked and merged');
        if (req.dryRun) throw new DryRunDone(counts);
        const action = req.replace ? 'pool.replace_macs' : 'pool.add_macs';
        await this.audit.record({ actor: req.actor.name, action, target: pool.name, details: counts }, m);
        return { ...counts, dryRun: false };
      });
    } catch (err) {
      if (err instanceof DryRunDone) return { ...err.counts, dryRun: true };
      // Another upload raced us to the same MAC (different pool, committed meanwhile).
      if (isUniqueViolation(err)) {
        throw DomainError.conflict(
          'concurrent_upload',
          'another upload added some of these MACs at the same time; nothing was written, retry',
        );
      }
      throw err;
    }
  }

  /**
   * Parses the body and copies its MACs into the staging table; returns how many rows it holds.
   * Refuses the upload, listing every bad line, when any line is bad.
   */
  private async stage(req: UploadRequest, pool: Pool, m: EntityManager): Promise<number> {
    const policy: RangePolicy = { allowUniversal: pool.allowUniversal, maxRangeSize: this.config.MACPOOL_MAX_RANGE };
    const maxMacs = this.config.MACPOOL_MAX_UPLOAD_MACS;
    await this.uploads.createStaging(m);
    const writer = await this.uploads.openCopy(m);
    const errors = new BoundedList<LineError>(this.config.MACPOOL_MAX_REPORTED_ERRORS);
    let macs = 0;
    for await (const batch of this.parse(req, policy)) {
      for (const parsed of batch) {
        if (!parsed.ok) {
          errors.push(parsed.error);
          continue;
        }
        macs += rangeSize(parsed.entry);
        if (macs > maxMacs) {
          throw DomainError.unprocessable(
            'upload_too_large',
            `the upload holds more than ${maxMacs} MACs (MACPOOL_MAX_UPLOAD_MACS); split it`,
            {
              line: parsed.entry.line,
            },
          );
        }
        // Once a line is bad nothing will be written: keep parsing to list every bad line, stop copying.
        if (errors.total > 0) continue;
        const expanding = writer.add(parsed.entry); // a promise only for ranges: no await per line
        if (expanding) await expanding;
      }
      await writer.drain();
    }
    await writer.end();
    if (errors.total > 0) throw badLines(errors.items, errors.total, 'bad lines in the upload');
    return writer.rows;
  }

  /**
   * The set-based checks over the staged file: MACs twice in the file or in another pool, and for
   * a replace the live MACs it would drop. Returns how many staged MACs the pool already holds.
   */
  private async refuseConflicts(req: UploadRequest, pool: Pool, m: EntityManager): Promise<number> {
    const limit = this.config.MACPOOL_MAX_REPORTED_ERRORS;
    await this.uploads.indexStaging(m);
    const dups = await this.uploads.duplicatesInFile(m, limit);
    const overlap = await this.uploads.overlap(m, pool.id);
    const others = overlap.otherPools > 0 ? await this.uploads.inOtherPools(m, pool.id, limit) : [];
    const conflicts = [...dups.rows, ...others].sort((a, b) => a.line - b.line).slice(0, limit);
    if (conflicts.length) {
      throw badLines(
        conflicts.map((c) => ({
          line: c.line,
          input: c.mac,
          code: c.reason.startsWith('duplicate') ? 'duplicate_in_file' : 'in_other_pool',
          reason: c.reason,
        })),
        dups.total + overlap.otherPools,
        'MACs duplicated in the file or belonging to another pool',
      );
    }
    if (req.replace) {
      const live = await this.uploads.liveMissingFromFile(m, pool.id, limit);
      if (live.total > 0) {
        throw badLines(
          live.rows.map((r) => ({
            line: null,
            input: r.mac,
            code: 'would_remove_live_mac',
            reason: `${r.state} to port ${r.portId}: a replace may not remove it; release the port first or keep the MAC in the file`,
          })),
          live.total,
          `the upload leaves out ${live.total} reserved or allocated MACs of pool ${pool.name}`,
        );
      }
    }
    return overlap.samePool;
  }

  private parse(req: UploadRequest, policy: RangePolicy): AsyncIterable<ParsedBatch> | Iterable<ParsedBatch> {
    switch (req.format) {
      case 'text':
        return parseTextUpload(req.body as AsyncIterable<Buffer>, policy);
      case 'csv':
        return parseCsvUpload(req.body as AsyncIterable<Buffer>, policy);
      case 'json':
        return parseJsonUpload(req.body, policy);
    }
  }
}

/** Rolls the transaction back while carrying a dry run's counts out of it. */
class DryRunDone extends Error {
  constructor(readonly counts: UploadCounts) {
    super('dry run');
  }
}

/** Elapsed milliseconds per phase, for the upload log line (operators size imports by it). */
class PhaseTimer {
  readonly ms: Record<string, number> = {};
  private last = performance.now();
  mark(phase: string) {
    const now = performance.now();
    this.ms[phase] = Math.round(now - this.last);
    this.last = now;
  }
}

/** The first `limit` items pushed, and how many were pushed in all. */
class BoundedList<T> {
  readonly items: T[] = [];
  total = 0;
  constructor(private readonly limit: number) {}
  push(item: T) {
    this.total++;
    if (this.items.length < this.limit) this.items.push(item);
  }
}

function badLines(errors: LineError[], total: number, what: string): DomainError {
  const shown = errors.length < total ? ` (first ${errors.length} listed)` : '';
  return DomainError.unprocessable('invalid_upload', `${total} ${what}${shown}; nothing was written`, {
    errors: errors.map(({ line, input, code, reason }) => ({ line, input, code, reason })),
    errorCount: total,
  });
}
