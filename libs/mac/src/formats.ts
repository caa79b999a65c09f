import { parse as parseCsvSync } from 'csv-parse/sync';
import { EntryFields, ParsedLine, buildEntry } from './entry';
import { RangePolicy } from './range';

export type UploadFormat = 'text' | 'csv' | 'json';

const CSV_COLUMNS = ['mac', 'hostname', 'ipv4', 'ipv6', 'description'] as const;

/** Maps a Content-Type header to an upload format, or null when it is none we read. */
export function uploadFormatOf(contentType: string | undefined): UploadFormat | null {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'text/plain') return 'text';
  if (type === 'text/csv' || type === 'application/csv') return 'csv';
  if (type === 'application/json') return 'json';
  return null;
}

type Chunks = AsyncIterable<Buffer | string> | Iterable<Buffer | string>;

/**
 * Parsers yield one batch of results per input chunk: a million-line upload never sits in memory
 * whole, and the per-line cost stays free of promise/generator overhead.
 */
export type ParsedBatch = ParsedLine[];

/** Longest line (CSV record, JSON element) read; a longer one is refused as `line_too_long`. */
export const DEFAULT_MAX_LINE_LENGTH = 4096;
/** Characters of a bad line echoed back in its error; the rest is cut (an ellipsis marks the cut). */
export const MAX_ECHOED_INPUT = 200;

/** The input as an error echoes it: at most MAX_ECHOED_INPUT characters, an ellipsis where cut. */
export function clipInput(input: string, max = MAX_ECHOED_INPUT): string {
  return input.length > max ? `${input.slice(0, max)}…` : input;
}

/** A line longer than the limit: only its start is kept (for the error), the rest was skipped unread. */
export class OverlongLine {
  constructor(readonly head: string) {}
}

export type SplitLine = string | OverlongLine;

const stripCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
const HEAD_KEPT = MAX_ECHOED_INPUT + 1;

const tooLong = (line: number, head: string, maxLineLength: number, what = 'line'): ParsedLine => ({
  ok: false,
  error: { line, input: clipInput(head), code: 'line_too_long', reason: `${what} longer than ${maxLineLength} characters` },
});

/**
 * Splits a byte stream into the complete lines of each chunk (CRLF or LF, UTF-8 safe). A line
 * past `maxLineLength` is not accumulated: it comes out as an OverlongLine, so a file without
 * newlines costs linear time and bounded memory.
 */
export async function* lineBatches(source: Chunks, maxLineLength = DEFAULT_MAX_LINE_LENGTH): AsyncGenerator<SplitLine[]> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  let overlong: OverlongLine | null = null;
  const complete = (piece: string): SplitLine => {
    if (overlong) {
      const line = overlong;
      overlong = null;
      return line;
    }
    const line = stripCr(rest + piece);
    rest = '';
    return line.length > maxLineLength ? new OverlongLine(line.slice(0, HEAD_KEPT)) : line;
  };
  const hold = (piece: string) => {
    if (overlong) return;
    rest += piece;
    // +1: a CR before the newline is not part of the line.
    if (rest.length > maxLineLength + 1) {
      overlong = new OverlongLine(rest.slice(0, HEAD_KEPT));
      rest = '';
    }
  };
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const lines: SplitLine[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      lines.push(complete(text.slice(start, nl)));
      start = nl + 1;
    }
    hold(text.slice(start));
    if (lines.length) yield lines;
  }
  hold(decoder.decode());
  if (overlong || rest.length > 0) yield [complete('')];
}

/** Text: one MAC or `first-last` range per line; `#` starts a comment; blank lines skipped. */
export async function* parseTextUpload(
  source: Chunks,
  policy: RangePolicy,
  maxLineLength = DEFAULT_MAX_LINE_LENGTH,
): AsyncGenerator<ParsedBatch> {
  let line = 0;
  for await (const lines of lineBatches(source, maxLineLength)) {
    const batch: ParsedBatch = [];
    for (const raw of lines) {
      line++;
      if (raw instanceof OverlongLine) {
        batch.push(tooLong(line, raw.head, maxLineLength));
        continue;
      }
      const hash = raw.indexOf('#');
      const text = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
      if (text.length > 0) batch.push(buildEntry({ mac: text }, line, raw, policy));
    }
    yield batch;
  }
}

const headerError = (input: string, reason: string): ParsedLine => ({
  ok: false,
  error: { line: 1, input, code: 'invalid_header', reason },
});

function readHeader(input: string): { columns: string[] } | { error: ParsedLine } {
  const columns = input
    .replace(/^\uFEFF/, '')
    .split(',')
    .map((c) =>
      c
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase(),
    );
  const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  const repeated = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (!columns.includes('mac'))
    return { error: headerError(input, `header must name a "mac" column (columns: ${CSV_COLUMNS.join(', ')})`) };
  if (unknown.length) return { error: headerError(input, `unknown column(s) ${unknown.join(', ')}; allowed: ${CSV_COLUMNS.join(', ')}`) };
  if (repeated.length) return { error: headerError(input, `column(s) named twice: ${repeated.join(', ')}`) };
  return { columns };
}

/** Whether the line holds an odd number of quote characters (it opens or closes a quoted field). */
function oddQuotes(text: string): boolean {
  let odd = false;
  for (let at = text.indexOf('"'); at >= 0; at = text.indexOf('"', at + 1)) odd = !odd;
  return odd;
}

function parseQuotedRecord(text: string): string[] {
  const records = parseCsvSync(text, { relax_column_count: true }) as string[][];
  if (records.length !== 1) throw new Error('expected one CSV record');
  return records[0];
}

/**
 * Joins the physical lines of a record whose quoted field spans lines (RFC 4180 allows a newline
 * inside quotes). Quote parity is counted per line, never over the joined record, and a record is
 * held only up to the line limit: an unclosed quote costs linear time and bounded memory. Returns
 * plain strings, no object per line: this runs once per line of the file.
 */
class CsvRecordJoiner {
  /** The line the last completed record (or refusal) started on. */
  line = 0;
  private lineNo = 0;
  private pending: string[] | null = null;
  private pendingLength = 0;
  private pendingLine = 0;
  /** A quoted record went past the limit and was refused: its lines are dropped until the quote closes. */
  private skipping = false;

  constructor(private readonly maxLength: number) {}

  /** The record this line completes, a refusal, or null while a quoted field is still open. */
  take(raw: SplitLine): string | ParsedLine | null {
    this.lineNo++;
    if (raw instanceof OverlongLine) {
      // Its quotes were never read: take it as ending whatever record was open.
      const reported = this.skipping;
      const head = this.pending?.[0] ?? raw.head;
      this.line = this.pending !== null ? this.pendingLine : this.lineNo;
      this.pending = null;
      this.skipping = false;
      return reported ? null : tooLong(this.line, head, this.maxLength, 'record');
    }
    const odd = oddQuotes(raw);
    if (this.skipping) {
      if (odd) this.skipping = false;
      return null;
    }
    if (this.pending !== null) {
      this.pending.push(raw);
      this.pendingLength += raw.length + 1;
      if (this.pendingLength > this.maxLength) {
        const head = this.pending[0];
        this.pending = null;
        this.skipping = !odd;
        this.line = this.pendingLine;
        return tooLong(this.line, head, this.maxLength, 'record');
      }
      if (!odd) return null;
      const record = this.pending.join('\n');
      this.pending = null;
      this.line = this.pendingLine;
      return record;
    }
    if (odd) {
      this.pending = [raw];
      this.pendingLength = raw.length;
      this.pendingLine = this.lineNo;
      return null;
    }
    this.line = this.lineNo;
    return raw;
  }

  /** The refusal for a quoted field left open at the end of the file, if one is. */
  unclosed(): ParsedLine | null {
    if (this.pending === null) return null;
    return {
      ok: false,
      error: {
        line: this.pendingLine,
        input: this.pending[0],
        code: 'csv_syntax',
        reason: 'quoted field not closed before the end of the file',
      },
    };
  }
}

/** One data record under the header's columns. Quote-free records are split directly (the common case, several times faster). */
function parseCsvRecord(input: string, line: number, columns: string[], policy: RangePolicy): ParsedLine {
  let record: string[];
  try {
    record = input.includes('"') ? parseQuotedRecord(input) : input.split(',');
  } catch (err) {
    return { ok: false, error: { line, input, code: 'csv_syntax', reason: (err as Error).message } };
  }
  if (record.length !== columns.length) {
    return {
      ok: false,
      error: { line, input, code: 'wrong_column_count', reason: `expected ${columns.length} fields, found ${record.length}` },
    };
  }
  const fields: Record<string, string> = {};
  for (let i = 0; i < columns.length; i++) fields[columns[i]] = record[i].trim();
  return buildEntry(fields as unknown as EntryFields, line, input, policy);
}

/**
 * CSV with a header row naming `mac` and any of hostname, ipv4, ipv6, description (RFC 4180).
 * A record with quotes, possibly spanning lines, goes to csv-parse. `line` is the line where the
 * record starts.
 */
export async function* parseCsvUpload(
  source: Chunks,
  policy: RangePolicy,
  maxLineLength = DEFAULT_MAX_LINE_LENGTH,
): AsyncGenerator<ParsedBatch> {
  const records = new CsvRecordJoiner(maxLineLength);
  let columns: string[] | null = null;
  for await (const lines of lineBatches(source, maxLineLength)) {
    const batch: ParsedBatch = [];
    for (const raw of lines) {
      const input = records.take(raw);
      if (input === null) continue;
      if (typeof input !== 'string') {
        batch.push(input);
        if (columns === null) {
          yield batch;
          return;
        }
        continue;
      }
      if (input.trim() === '') continue;
      if (columns !== null) {
        batch.push(parseCsvRecord(input, records.line, columns, policy));
        continue;
      }
      const header = readHeader(input);
      if ('error' in header) {
        yield [...batch, header.error];
        return;
      }
      columns = header.columns;
    }
    yield batch;
  }
  const unclosed = records.unclosed();
  if (unclosed) yield [unclosed];
  else if (columns === null) yield [headerError('', 'empty CSV: a header row naming "mac" is required')];
}

/** JSON that can't be read at all (not the shape of one element): the whole upload is refused. */
export class JsonSyntaxError extends Error {}

const NOT_AN_ARRAY = 'body must be a JSON array of MACs or {mac, hostname, ipv4, ipv6, description} objects';

/**
 * JSON: an array of MAC/range strings or of objects {mac, hostname?, ipv4?, ipv6?, description?}.
 * JSON has no lines of its own that survive re-formatting, so `line` is the element number.
 */
export function* parseJsonUpload(body: unknown, policy: RangePolicy, batchSize = 10000): Generator<ParsedBatch> {
  if (!Array.isArray(body)) {
    yield [{ ok: false, error: { line: null, input: '', code: 'invalid_json', reason: NOT_AN_ARRAY } }];
    return;
  }
  for (let start = 0; start < body.length; start += batchSize) {
    const batch: ParsedBatch = [];
    for (let i = start; i < Math.min(body.length, start + batchSize); i++) batch.push(parseJsonItem(body[i], i + 1, policy));
    yield batch;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isJsonSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff;

/**
 * The same JSON array read as a stream, one batch per chunk: the scanner finds where each
 * top-level element ends (tracking strings and nesting) and JSON.parse reads that element alone,
 * so the body is never held or parsed whole. An element past `maxItemLength` characters is not
 * kept: it is refused as `line_too_long`. Syntax it can't place in one element throws
 * JsonSyntaxError.
 */
export async function* parseJsonStream(
  source: Chunks,
  policy: RangePolicy,
  maxItemLength = DEFAULT_MAX_LINE_LENGTH,
): AsyncGenerator<ParsedBatch> {
  const decoder = new TextDecoder('utf-8');
  let started = false;
  let ended = false;
  let inString = false;
  let escaped = false;
  let depth = 0;
  let count = 0;
  let parts: string[] = [];
  let length = 0;
  let overlong: string | null = null;
  const append = (piece: string) => {
    if (overlong !== null || piece.length === 0) return;
    parts.push(piece);
    length += piece.length;
    if (length > maxItemLength) {
      overlong = parts.join('').trim().slice(0, HEAD_KEPT);
      parts = [];
    }
  };
  const complete = (last: boolean, batch: ParsedBatch) => {
    const head = overlong;
    const text = head === null ? parts.join('').trim() : '';
    parts = [];
    length = 0;
    overlong = null;
    if (head !== null) {
      batch.push(tooLong(++count, head, maxItemLength, 'element'));
      return;
    }
    if (text === '') {
      if (last && count === 0) return; // []
      throw new JsonSyntaxError(`element ${count + 1} is empty (a stray comma?)`);
    }
    count++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new JsonSyntaxError(`element ${count}: ${(err as Error).message}`);
    }
    batch.push(parseJsonItem(value, count, policy));
  };
  const scan = (text: string): ParsedBatch | null => {
    const batch: ParsedBatch = [];
    let i = 0;
    if (!started) {
      while (i < text.length && isJsonSpace(text.charCodeAt(i))) i++;
      if (i === text.length) return batch;
      if (text[i] !== '[') {
        if (/^[{"\d-]/.test(text.slice(i, i + 1))) return null;
        throw new JsonSyntaxError(`unexpected ${JSON.stringify(text[i])} at the start of the body`);
      }
      started = true;
      i++;
    }
    let from = i;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (ended) {
        if (!isJsonSpace(c)) throw new JsonSyntaxError(`unexpected ${JSON.stringify(text[i])} after the array`);
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (c === QUOTE) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || (c === 0x5d && depth > 0)) depth--;
      else if (c === 0x5d || (c === 0x2c && depth === 0)) {
        append(text.slice(from, i));
        complete(c === 0x5d, batch);
        from = i + 1;
        ended = c === 0x5d;
      }
      if (depth < 0) throw new JsonSyntaxError(`unbalanced "}" in element ${count + 1}`);
    }
    if (!ended) append(text.slice(from));
    return batch;
  };
  for await (const chunk of source) {
    const batch = scan(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (batch === null) {
      yield [{ ok: false, error: { line: null, input: '', code: 'invalid_json', reason: NOT_AN_ARRAY } }];
      return;
    }
    yield batch;
  }
  const tail = scan(decoder.decode());
  if (tail === null) {
    yield [{ ok: false, error: { line: null, input: '', code: 'invalid_json', reason: NOT_AN_ARRAY } }];
    return;
  }
  if (tail.length) yield tail;
  if (!started) throw new JsonSyntaxError('empty body: expected a JSON array');
  if (!ended) throw new JsonSyntaxError('unexpected end of the body: the array is not closed');
}

function parseJsonItem(item: unknown, line: number, policy: RangePolicy): ParsedLine {
  const input = JSON.stringify(item) ?? '';
  if (typeof item === 'string') return buildEntry({ mac: item }, line, input, policy);
  const bad = badJsonObject(item);
  if (bad) return { ok: false, error: { line, input, code: 'invalid_item', reason: bad } };
  return buildEntry(item as EntryFields, line, input, policy);
}

function badJsonObject(item: unknown): string | null {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return 'each element must be a string or an object with a "mac" field';
  }
  const record = item as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (!(CSV_COLUMNS as readonly string[]).includes(key)) return `unknown field "${key}"; allowed: ${CSV_COLUMNS.join(', ')}`;
    if (value !== undefined && value !== null && typeof value !== 'string') return `field "${key}" must be a string`;
  }
  if (typeof record.mac !== 'string') return 'field "mac" is required';
  return null;
}
