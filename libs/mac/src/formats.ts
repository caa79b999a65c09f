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

const stripCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);

/** Splits a byte stream into the complete lines of each chunk (CRLF or LF, UTF-8 safe). */
export async function* lineBatches(source: Chunks): AsyncGenerator<string[]> {
  let rest = '';
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of source) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const lines = rest.split('\n');
    rest = lines.pop()!;
    if (lines.length) yield lines.map(stripCr);
  }
  rest += decoder.decode();
  if (rest.length > 0) yield [stripCr(rest)];
}

/** Text: one MAC or `first-last` range per line; `#` starts a comment; blank lines skipped. */
export async function* parseTextUpload(source: Chunks, policy: RangePolicy): AsyncGenerator<ParsedBatch> {
  let line = 0;
  for await (const lines of lineBatches(source)) {
    const batch: ParsedBatch = [];
    for (const raw of lines) {
      line++;
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

/** An even number of quote characters means every quoted field is closed ("" is an escaped one). */
const quotesBalanced = (text: string) => (text.split('"').length - 1) % 2 === 0;

function parseQuotedRecord(text: string): string[] {
  const records = parseCsvSync(text, { relax_column_count: true }) as string[][];
  if (records.length !== 1) throw new Error('expected one CSV record');
  return records[0];
}

/**
 * Joins the physical lines of a record whose quoted field spans lines (RFC 4180 allows a newline
 * inside quotes). Returns plain strings, no object per line: this runs once per line of the file.
 */
class CsvRecordJoiner {
  /** The line the last completed record started on. */
  line = 0;
  private lineNo = 0;
  private pending: string | null = null;
  private pendingLine = 0;

  /** The record this line completes, or null while a quoted field is still open. */
  take(raw: string): string | null {
    this.lineNo++;
    if (this.pending !== null) {
      this.pending += `\n${raw}`;
      if (!quotesBalanced(this.pending)) return null;
      const record = this.pending;
      this.pending = null;
      this.line = this.pendingLine;
      return record;
    }
    if (raw.includes('"') && !quotesBalanced(raw)) {
      this.pending = raw;
      this.pendingLine = this.lineNo;
      return null;
    }
    this.line = this.lineNo;
    return raw;
  }

  /** The refusal for a quoted field left open at the end of the file, if one is. */
  unclosed(): ParsedLine | null {
    if (this.pending === null) return null;
    const input = this.pending.split('\n')[0];
    return {
      ok: false,
      error: { line: this.pendingLine, input, code: 'csv_syntax', reason: 'quoted field not closed before the end of the file' },
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
export async function* parseCsvUpload(source: Chunks, policy: RangePolicy): AsyncGenerator<ParsedBatch> {
  const records = new CsvRecordJoiner();
  let columns: string[] | null = null;
  for await (const lines of lineBatches(source)) {
    const batch: ParsedBatch = [];
    for (const raw of lines) {
      const input = records.take(raw);
      if (input === null || input.trim() === '') continue;
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

/**
 * JSON: an array of MAC/range strings or of objects {mac, hostname?, ipv4?, ipv6?, description?}.
 * JSON has no lines of its own that survive re-formatting, so `line` is the element number.
 */
export function* parseJsonUpload(body: unknown, policy: RangePolicy, batchSize = 10000): Generator<ParsedBatch> {
  if (!Array.isArray(body)) {
    const reason = 'body must be a JSON array of MACs or {mac, hostname, ipv4, ipv6, description} objects';
    yield [{ ok: false, error: { line: null, input: '', code: 'invalid_json', reason } }];
    return;
  }
  for (let start = 0; start < body.length; start += batchSize) {
    const batch: ParsedBatch = [];
    for (let i = start; i < Math.min(body.length, start + batchSize); i++) batch.push(parseJsonItem(body[i], i + 1, policy));
    yield batch;
  }
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
