import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  JsonSyntaxError,
  LineError,
  ParsedBatch,
  RangePolicy,
  UploadFormat,
  clipInput,
  parseCsvUpload,
  parseJsonStream,
  parseTextUpload,
  rangeSize,
} from '@app/mac';
import { AuditRepository, DomainError, Principal } from '@app/platform';
import { isUniqueViolation } from '@app/platform/database/unique-violation';
import { poolRowOf } from './copy-rows';
import { UploadSpool, UploadSpoolFiles } from './upload-spool';
import { UploadCounts, UploadRepository } from './upload.repository';
import { MacPoolConfig } from '../config';
import { Pool } from '../pools/pool';
import { PoolService } from '../pools/pool.service';

export interface UploadRequest {
  pool: string;
  replace: boolean;
  dryRun: boolean;
  /** A replace with no MAC empties the pool's free MACs only when this says so. */
  allowEmpty?: boolean;
  format: UploadFormat;
  /** The body as it arrives. */
  body: AsyncIterable<Buffer | string>;
  actor: Principal;
}

/** What a make-equal dry run would remove: the first MACPOOL_MAX_REPORTED_ERRORS MACs, sorted, and their count. */
export interface RemovalPreview {
  removing: string[];
  removingTotal: number;
}

export type UploadResult = UploadCounts & { dryRun: boolean } & Partial<RemovalPreview>;

/**
 * Bodies up to this size are read whole before any database work (a million CSV lines with
 * hostnames are ~50 MiB); larger ones are parsed as they arrive and spooled as COPY rows.
 */
const READ_AHEAD_BYTES = 64 * 1024 ** 2;
/** COPY data is sent in chunks of about this many characters. */
const FLUSH_CHARS = 256 * 1024;

const NOTHING_REMOVED: RemovalPreview = { removing: [], removingTotal: 0 };

/** Parsing gives the event loop a turn at least this often, so one upload never stalls the others. */
const PARSE_SLICE_MS = 20;
/** A reason names the field at fault and may quote it: cut like the echoed input, a bit longer. */
const MAX_REASON = 400;

/** The body read and spooled: how many COPY rows it gave, and its bad lines. */
interface Spooled {
  rows: number;
  errors: BoundedList<LineError>;
}

@Injectable()
export class UploadService {
  private readonly logger = new Logger(UploadService.name);

  constructor(
    private readonly db: DataSource,
    private readonly pools: PoolService,
    private readonly uploads: UploadRepository,
    private readonly spools: UploadSpoolFiles,
    private readonly audit: AuditRepository,
    @Inject(MacPoolConfig) private readonly config: MacPoolConfig,
  ) {}

  /**
   * All or nothing: the body is first read to the end (into memory up to READ_AHEAD_BYTES, else
   * parsed and spooled), holding no connection, no transaction and no lock, so a slow or vanishing
   * client costs the database nothing. Then one short transaction stages the rows with COPY and
   * checks them; any bad line (syntax, duplicate in the file, MAC of another pool, live MAC a
   * replace would drop) rolls it back with every bad line listed in one reply. Into a pool without
   * MACs the rows are first COPYed straight into `macs`, the primary key standing for the checks.
   * A dry run rolls back after computing the counts.
   */
  async upload(req: UploadRequest): Promise<UploadResult> {
    const phases = new PhaseTimer();
    // Unknown pools fail before the body is read; the pool's policy is what the parser needs.
    const known = (await this.pools.listForAllocation()).find((p) => p.name === req.pool) ?? (await this.pools.get(req.pool));
    const spool = await this.spools.create();
    try {
      const body = req.format === 'json' ? { chunks: [], rest: req.body[Symbol.asyncIterator]() } : await readAhead(req.body);
      // A whole body in memory, for a pool without MACs: parsed while it is COPYed, in the transaction.
      const streamed = body.rest === null && (await this.uploads.poolIsEmpty(this.db.manager, known.id));
      phases.mark('read');
      let spooled = streamed ? null : await this.spool(req.format, bodyOf(body), known, spool);
      if (spooled) {
        phases.mark('parse');
        refuseEmptyReplace(req, spooled.rows, spooled.errors.total);
      }
      const done = await this.db.transaction(async (m) => {
        const pool = await this.pools.lockForChange(req.pool, m);
        if (pool.id !== known.id || pool.allowUniversal !== known.allowUniversal) {
          throw DomainError.conflict('pool_changed', `pool ${req.pool} changed while the upload was read; nothing was written, retry`);
        }
        let result: (UploadCounts & Partial<RemovalPreview>) | null;
        if (spooled) {
          result = await this.copyStraightIntoEmptyPool(req, pool, m, spool, spooled, phases);
        } else {
          result = await this.parseStraightIntoEmptyPool(req, pool, m, body.chunks, phases);
          if (!result) {
            // Not empty any more, or a bad line: parsed again, all of it, to be staged and checked.
            spooled = await this.spool(req.format, bodyOf(body), pool, spool);
            phases.mark('parse');
            refuseEmptyReplace(req, spooled.rows, spooled.errors.total);
          }
        }
        result ??= await this.checkAndMerge(req, pool, m, spool, spooled!, phases);
        if (req.dryRun) {
          this.logger.log({ pool: pool.name, ...result, dryRun: true, ms: phases.ms }, 'upload checked (dry run)');
          throw new DryRunDone(result);
        }
        const counts: UploadCounts = { added: result.added, updated: result.updated, removed: result.removed, unchanged: result.unchanged };
        const action = req.replace ? 'pool.replace_macs' : 'pool.add_macs';
        await this.audit.record({ actor: req.actor.name, action, target: pool.name, details: counts }, m);
        return counts;
      });
      phases.mark('commit');
      this.logger.log({ pool: req.pool, ...done, dryRun: false, ms: phases.ms }, 'upload checked and merged');
      return { ...done, dryRun: false };
    } catch (err) {
      if (err instanceof DryRunDone) return { ...err.result, dryRun: true };
      // Another upload raced us to the same MAC (different pool, committed meanwhile).
      if (isUniqueViolation(err)) {
        throw DomainError.conflict(
          'concurrent_upload',
          'another upload added some of these MACs at the same time; nothing was written, retry',
        );
      }
      throw err;
    } finally {
      await spool.discard();
    }
  }

  /**
   * Into a pool without MACs, an upload with no syntax error is COPYed straight into `macs`: if the
   * primary key accepts every row, every check would have passed (nothing twice in the file,
   * nothing in another pool, nothing live a replace could drop, nothing to update or remove), so
   * staging, checks and merge are skipped. Null when not tried or refused: nothing was written.
   */
  private async copyStraightIntoEmptyPool(
    req: UploadRequest,
    pool: Pool,
    m: EntityManager,
    spool: UploadSpool,
    spooled: Spooled,
    phases: PhaseTimer,
  ): Promise<(UploadCounts & Partial<RemovalPreview>) | null> {
    if (spooled.errors.total > 0 || !(await this.uploads.poolIsEmpty(m, pool.id))) return null;
    const copied = await this.uploads.copyIntoPool(m, pool.id, spool.read(), 'staged');
    phases.mark(copied ? 'copy_into_pool' : 'copy_into_pool_refused');
    if (!copied) return null;
    return { added: spooled.rows, updated: 0, removed: 0, unchanged: 0, ...(req.replace && req.dryRun ? NOTHING_REMOVED : {}) };
  }

  /**
   * Into a pool without MACs, a body read whole into memory is parsed while its rows are COPYed
   * straight into `macs`, so parsing (Node) and index upkeep (PostgreSQL) overlap. The first bad
   * line, or a MAC the primary key refuses, abandons the attempt (rolled back to its savepoint):
   * null then, and the caller parses again to stage, check and list every bad line.
   */
  private async parseStraightIntoEmptyPool(
    req: UploadRequest,
    pool: Pool,
    m: EntityManager,
    chunks: Array<Buffer | string>,
    phases: PhaseTimer,
  ): Promise<(UploadCounts & Partial<RemovalPreview>) | null> {
    if (!(await this.uploads.poolIsEmpty(m, pool.id))) return null;
    const parsed = { macs: 0 };
    const rows = Readable.from(this.poolRows(req.format, chunks, pool, parsed));
    const copied = await this.uploads.copyIntoPool(m, pool.id, rows, 'pool').catch((err: unknown) => {
      if (err instanceof BadLineSeen) return false;
      throw err;
    });
    phases.mark(copied ? 'parse_and_copy_into_pool' : 'parse_and_copy_into_pool_abandoned');
    if (!copied) return null;
    refuseEmptyReplace(req, parsed.macs, 0);
    return { added: parsed.macs, updated: 0, removed: 0, unchanged: 0, ...(req.replace && req.dryRun ? NOTHING_REMOVED : {}) };
  }

  /** The rows of `macs` of a body's MACs, in chunks of about FLUSH_CHARS; throws BadLineSeen at the first bad line. */
  private async *poolRows(
    format: UploadFormat,
    chunks: Array<Buffer | string>,
    pool: Pool,
    parsed: { macs: number },
  ): AsyncGenerator<string> {
    const policy: RangePolicy = { allowUniversal: pool.allowUniversal, maxRangeSize: this.config.MACPOOL_MAX_RANGE };
    const maxMacs = this.config.MACPOOL_MAX_UPLOAD_MACS;
    let rows: string[] = [];
    let chars = 0;
    let turn = performance.now();
    for await (const batch of this.parse(format, chunks, policy)) {
      for (const line of batch) {
        if (!line.ok) throw new BadLineSeen();
        const entry = line.entry;
        parsed.macs += rangeSize(entry);
        if (parsed.macs > maxMacs) throw tooManyMacs(maxMacs, entry.line);
        for (let mac = entry.first; mac <= entry.last; mac++) {
          const row = poolRowOf(pool.id, entry, mac);
          rows.push(row);
          chars += row.length;
          if (chars >= FLUSH_CHARS) {
            yield rows.join('');
            rows = [];
            chars = 0;
          }
        }
      }
      if (performance.now() - turn > PARSE_SLICE_MS) {
        await nextTurn();
        turn = performance.now();
      }
    }
    if (rows.length) yield rows.join('');
  }

  /**
   * Stages the spooled rows, refuses the upload if any line is bad, else merges the rows into the
   * pool; for a make-equal dry run, also lists what the merge removes.
   */
  private async checkAndMerge(
    req: UploadRequest,
    pool: Pool,
    m: EntityManager,
    spool: UploadSpool,
    spooled: Spooled,
    phases: PhaseTimer,
  ): Promise<UploadCounts & Partial<RemovalPreview>> {
    await this.uploads.createStaging(m);
    await this.uploads.copyIntoStaging(m, spool.read());
    phases.mark('copy');
    const samePool = await this.refuseBadLines(req, pool, m, spooled.errors);
    phases.mark('checks');
    // Listed before the merge deletes them, in the same transaction, so the list is what the counts count.
    const preview = req.replace && req.dryRun ? await this.removalPreview(m, pool.id) : undefined;
    const counts = await this.uploads.merge(m, pool.id, req.replace, spooled.rows, samePool);
    phases.mark('merge');
    return { ...counts, ...preview };
  }

  /**
   * Reads the whole body, parsing it and writing the COPY rows of its good lines to the spool;
   * bad lines are collected (the first MACPOOL_MAX_REPORTED_ERRORS, and their count). Any failure
   * here (client gone, body over a limit, unreadable JSON) ends the upload before the database.
   */
  private async spool(format: UploadFormat, body: AsyncIterable<Buffer | string>, pool: Pool, spool: UploadSpool): Promise<Spooled> {
    const policy: RangePolicy = { allowUniversal: pool.allowUniversal, maxRangeSize: this.config.MACPOOL_MAX_RANGE };
    const maxMacs = this.config.MACPOOL_MAX_UPLOAD_MACS;
    const errors = new BoundedList<LineError>(this.config.MACPOOL_MAX_REPORTED_ERRORS);
    const writer = spool.writer;
    let macs = 0;
    let turn = performance.now();
    try {
      for await (const batch of this.parse(format, body, policy)) {
        for (const parsed of batch) {
          if (!parsed.ok) {
            const { line, input, code, reason } = parsed.error;
            errors.push({ line, input: clipInput(input), code, reason: clipInput(reason, MAX_REASON) });
            continue;
          }
          macs += rangeSize(parsed.entry);
          if (macs > maxMacs) throw tooManyMacs(maxMacs, parsed.entry.line);
          const expanding = writer.add(parsed.entry); // a promise only for ranges: no await per line
          if (expanding) await expanding;
        }
        await writer.drain();
        if (performance.now() - turn > PARSE_SLICE_MS) {
          await nextTurn();
          turn = performance.now();
        }
      }
    } catch (err) {
      if (err instanceof JsonSyntaxError) throw DomainError.invalid('invalid_json', `body is not valid JSON: ${err.message}`);
      throw err;
    }
    await writer.end();
    return { rows: writer.rows, errors };
  }

  /**
   * The set-based checks over the staged file: MACs twice in the file or in another pool, merged
   * with the lines the parser refused into one list by line; for a replace, then, the live MACs it
   * would drop. Returns how many staged MACs the pool already holds.
   */
  private async refuseBadLines(req: UploadRequest, pool: Pool, m: EntityManager, syntax: BoundedList<LineError>): Promise<number> {
    const limit = this.config.MACPOOL_MAX_REPORTED_ERRORS;
    await this.uploads.analyzeStaging(m);
    const dups = await this.uploads.duplicatesInFile(m, limit);
    const overlap = await this.uploads.overlap(m, pool.id);
    const others = overlap.otherPools > 0 ? await this.uploads.inOtherPools(m, pool.id, limit) : [];
    const total = syntax.total + dups.total + overlap.otherPools;
    if (total > 0) {
      // Each list holds its first `limit` lines: the first `limit` of the union are among them.
      const conflicts: LineError[] = [...dups.rows, ...others].map((c) => ({
        line: c.line,
        input: c.mac,
        code: c.reason.startsWith('duplicate') ? 'duplicate_in_file' : 'in_other_pool',
        reason: c.reason,
      }));
      const listed = [...syntax.items, ...conflicts].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)).slice(0, limit);
      throw badLines(listed, total, 'bad lines in the upload');
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

  private async removalPreview(m: EntityManager, poolId: number): Promise<RemovalPreview> {
    const free = await this.uploads.freeMissingFromFile(m, poolId, this.config.MACPOOL_MAX_REPORTED_ERRORS);
    return { removing: free.macs, removingTotal: free.total };
  }

  private parse(
    format: UploadFormat,
    body: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
    policy: RangePolicy,
  ): AsyncIterable<ParsedBatch> {
    const maxLine = this.config.MACPOOL_MAX_LINE_LENGTH;
    switch (format) {
      case 'text':
        return parseTextUpload(body, policy, maxLine);
      case 'csv':
        return parseCsvUpload(body, policy, maxLine);
      case 'json':
        return parseJsonStream(atMostBytes(body, this.config.MACPOOL_JSON_UPLOAD_LIMIT), policy, maxLine);
    }
  }
}

/** A body read ahead: its first chunks, and what is left of it (null when those are all of it). */
interface ReadAhead {
  chunks: Array<Buffer | string>;
  rest: AsyncIterator<Buffer | string> | null;
}

/**
 * Reads the body into memory up to READ_AHEAD_BYTES, as fast as the client sends it: no database
 * work waits on the client, and a body that fits is then parsed from memory.
 */
async function readAhead(body: AsyncIterable<Buffer | string>): Promise<ReadAhead> {
  const rest = body[Symbol.asyncIterator]();
  const chunks: Array<Buffer | string> = [];
  for (let bytes = 0; bytes <= READ_AHEAD_BYTES;) {
    const next = await rest.next();
    if (next.done) return { chunks, rest: null };
    chunks.push(next.value);
    bytes += next.value.length;
  }
  return { chunks, rest };
}

/** The whole body again: the chunks read ahead, then the rest (which can be read once only). */
async function* bodyOf(body: ReadAhead): AsyncGenerator<Buffer | string> {
  yield* body.chunks;
  if (body.rest) for (let next = await body.rest.next(); !next.done; next = await body.rest.next()) yield next.value;
}

function refuseEmptyReplace(req: UploadRequest, macs: number, badLines: number): void {
  if (req.replace && macs === 0 && badLines === 0 && !req.allowEmpty) {
    throw DomainError.unprocessable(
      'empty_replace',
      `the upload lists no MAC: making pool ${req.pool} equal to it would remove every free MAC; ` +
        'to do that, repeat the request with ?allowEmpty=true',
    );
  }
}

function tooManyMacs(maxMacs: number, line: number): DomainError {
  return DomainError.unprocessable('upload_too_large', `the upload holds more than ${maxMacs} MACs (MACPOOL_MAX_UPLOAD_MACS); split it`, {
    line,
  });
}

/** Ends a straight COPY at the first bad line: the upload is then staged to list them all. */
class BadLineSeen extends Error {
  constructor() {
    super('bad line');
  }
}

/** The body, refused as too large once it passes `maxBytes`. */
async function* atMostBytes(
  body: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  maxBytes: number,
): AsyncGenerator<Buffer | string> {
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      throw new DomainError(
        'too_large',
        'payload_too_large',
        `JSON uploads are limited to ${Math.round(maxBytes / 1024 ** 2)} MiB (MACPOOL_JSON_UPLOAD_LIMIT); use text/plain or text/csv for large files`,
      );
    }
    yield chunk;
  }
}

/** Rolls the transaction back while carrying a dry run's counts out of it. */
class DryRunDone extends Error {
  constructor(readonly result: UploadCounts & Partial<RemovalPreview>) {
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
