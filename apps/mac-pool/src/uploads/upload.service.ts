import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LineError, ParsedBatch, RangePolicy, UploadFormat, parseCsvUpload, parseJsonUpload, parseTextUpload, rangeSize } from '@app/mac';
import { DomainError, AuditRepository, Principal } from '@app/platform';
import { MacPoolConfig } from '../config';
import { UploadCounts, UploadRepository } from './upload.repository';
import { PoolRepository } from '../pools/pool.repository';

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

/** Thrown inside the transaction to roll it back with the reply to give. */
class Refused extends Error {
  constructor(readonly error: DomainError) {
    super(error.message);
  }
}

@Injectable()
export class UploadService {
  private readonly logger = new Logger(UploadService.name);

  constructor(
    private readonly db: DataSource,
    private readonly pools: PoolRepository,
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
    const limit = this.config.MACPOOL_MAX_REPORTED_ERRORS;
    const phases = new PhaseTimer();
    try {
      return await this.db.transaction(async (m) => {
        const pool = await this.pools.lockByName(req.pool, m);
        if (!pool) throw new Refused(DomainError.notFound('pool_not_found', `no pool named ${JSON.stringify(req.pool)}`));
        const policy: RangePolicy = {
          allowUniversal: pool.allowUniversal,
          maxRangeSize: this.config.MACPOOL_MAX_RANGE,
        };
        await this.uploads.createStaging(m);
        const writer = await this.uploads.openCopy(m);
        const errors = new BoundedList<LineError>(limit);
        const maxMacs = this.config.MACPOOL_MAX_UPLOAD_MACS;
        let macs = 0;
        for await (const batch of this.parse(req, policy)) {
          for (const parsed of batch) {
            if (!parsed.ok) {
              errors.push(parsed.error);
              continue;
            }
            macs += rangeSize(parsed.entry);
            if (macs > maxMacs) {
              throw new Refused(
                DomainError.unprocessable(
                  'upload_too_large',
                  `the upload holds more than ${maxMacs} MACs (MACPOOL_MAX_UPLOAD_MACS); split it`,
                  {
                    line: parsed.entry.line,
                  },
                ),
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
        phases.mark('parse+copy');
        if (errors.total > 0) throw new Refused(badLines(errors.items, errors.total, 'bad lines in the upload'));

        await this.uploads.indexStaging(m);
        const dups = await this.uploads.duplicatesInFile(m, limit);
        const overlap = await this.uploads.overlap(m, pool.id);
        const others = overlap.otherPools > 0 ? await this.uploads.inOtherPools(m, pool.id, limit) : [];
        const conflicts = [...dups.rows, ...others].sort((a, b) => a.line - b.line).slice(0, limit);
        if (conflicts.length) {
          throw new Refused(
            badLines(
              conflicts.map((c) => ({
                line: c.line,
                input: c.mac,
                code: c.reason.startsWith('duplicate') ? 'duplicate_in_file' : 'in_other_pool',
                reason: c.reason,
              })),
              dups.total + overlap.otherPools,
              'MACs duplicated in the file or belonging to another pool',
            ),
          );
        }
        phases.mark('checks');
        if (req.replace) {
          const live = await this.uploads.liveMissingFromFile(m, pool.id, limit);
          if (live.total > 0) {
            throw new Refused(
              badLines(
                live.rows.map((r) => ({
                  line: null,
                  input: r.mac,
                  code: 'would_remove_live_mac',
                  reason: `${r.state} to port ${r.portId}: a replace may not remove it; release the port first or keep the MAC in the file`,
                })),
                live.total,
                `the upload leaves out ${live.total} reserved or allocated MACs of pool ${pool.name}`,
              ),
            );
          }
        }
        const counts = await this.uploads.merge(m, pool.id, req.replace, writer.rows, overlap.samePool);
        phases.mark('merge');
        this.logger.log({ pool: pool.name, rows: writer.rows, ...counts, dryRun: req.dryRun, ms: phases.ms }, 'upload checked and merged');
        if (req.dryRun) throw new DryRunDone(counts);
        await this.audit.record(
          { actor: req.actor.name, action: req.replace ? 'pool.replace_macs' : 'pool.add_macs', target: pool.name, details: counts },
          m,
        );
        return { ...counts, dryRun: false };
      });
    } catch (err) {
      if (err instanceof DryRunDone) return { ...err.counts, dryRun: true };
      if (err instanceof Refused) throw err.error;
      // Another upload raced us to the same MAC (different pool, committed meanwhile).
      if ((err as { code?: string }).code === '23505') {
        throw DomainError.conflict(
          'concurrent_upload',
          'another upload added some of these MACs at the same time; nothing was written, retry',
        );
      }
      throw err;
    }
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
