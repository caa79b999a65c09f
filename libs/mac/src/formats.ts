import { Readable } from 'node:stream';
import { parse as parseCsv, CsvError } from 'csv-parse';
import { EntryFields, LineError, ParsedLine, buildEntry } from './entry';
import { RangePolicy } from './range';

export type UploadFormat = 'text' | 'csv' | 'json';

export const CSV_COLUMNS = ['mac', 'hostname', 'ipv4', 'ipv6', 'description'] as const;

/** Maps a Content-Type header to an upload format, or null when it is none we read. */
export function uploadFormatOf(contentType: string | undefined): UploadFormat | null {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'text/plain') return 'text';
  if (type === 'text/csv' || type === 'application/csv') return 'csv';
  if (type === 'application/json') return 'json';
  return null;
}

type Chunks = AsyncIterable<Buffer | string> | Iterable<Buffer | string>;

/** Splits a byte stream into lines without ever holding more than one chunk plus one line. */
export async function* splitLines(source: Chunks): AsyncGenerator<string> {
  let rest = '';
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of source) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n', start)) {
      yield rest.slice(start, nl).replace(/\r$/, '');
      start = nl + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest.length > 0) yield rest.replace(/\r$/, '');
}

/** Text: one MAC or `first-last` range per line; `#` starts a comment; blank lines skipped. */
export async function* parseTextUpload(source: Chunks, policy: RangePolicy): AsyncGenerator<ParsedLine> {
  let line = 0;
  for await (const raw of splitLines(source)) {
    line++;
    const hash = raw.indexOf('#');
    const text = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (text.length === 0) continue;
    yield buildEntry({ mac: text }, line, raw, policy);
  }
}

const headerError = (input: string, reason: string): ParsedLine => ({
  ok: false,
  error: { line: 1, input, code: 'invalid_header', reason },
});

/** CSV with a header row naming `mac` and any of hostname, ipv4, ipv6, description. */
export async function* parseCsvUpload(source: Chunks, policy: RangePolicy): AsyncGenerator<ParsedLine> {
  const parser = Readable.from(source).pipe(
    parseCsv({ info: true, raw: true, skip_empty_lines: true, relax_column_count: true, bom: true }),
  );
  let columns: string[] | null = null;
  try {
    for await (const { record, info, raw } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
      raw: string;
    }>) {
      const input = raw.replace(/\r?\n$/, '');
      if (columns === null) {
        columns = record.map((c) => c.trim().toLowerCase());
        const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
        const repeated = columns.filter((c, i) => columns!.indexOf(c) !== i);
        if (!columns.includes('mac')) {
          yield headerError(input, `header must name a "mac" column (columns: ${CSV_COLUMNS.join(', ')})`);
          return;
        }
        if (unknown.length || repeated.length) {
          yield headerError(
            input,
            unknown.length
              ? `unknown column(s) ${unknown.join(', ')}; allowed: ${CSV_COLUMNS.join(', ')}`
              : `column(s) named twice: ${repeated.join(', ')}`,
          );
          return;
        }
        continue;
      }
      if (record.length !== columns.length) {
        yield {
          ok: false,
          error: { line: info.lines, input, code: 'wrong_column_count', reason: `expected ${columns.length} fields, found ${record.length}` },
        };
        continue;
      }
      const fields: Record<string, string> = {};
      columns.forEach((name, i) => (fields[name] = record[i].trim()));
      yield buildEntry(fields as unknown as EntryFields, info.lines, input, policy);
    }
  } catch (err) {
    // A CSV syntax error (an unclosed quote, say) ends the parse: later lines can't be trusted.
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines ?? null;
      yield { ok: false, error: { line, input: '', code: 'csv_syntax', reason: err.message } };
      return;
    }
    throw err;
  }
  if (columns === null) yield headerError('', 'empty CSV: a header row naming "mac" is required');
}

/**
 * JSON: an array of MAC/range strings or of objects {mac, hostname?, ipv4?, ipv6?, description?}.
 * JSON has no lines of its own that survive re-formatting, so `line` is the element number.
 */
export function* parseJsonUpload(body: unknown, policy: RangePolicy): Generator<ParsedLine> {
  if (!Array.isArray(body)) {
    yield { ok: false, error: { line: null, input: '', code: 'invalid_json', reason: 'body must be a JSON array of MACs or {mac, hostname, ipv4, ipv6, description} objects' } };
    return;
  }
  for (let i = 0; i < body.length; i++) {
    const item: unknown = body[i];
    const input = JSON.stringify(item) ?? '';
    if (typeof item === 'string') {
      yield buildEntry({ mac: item }, i + 1, input, policy);
      continue;
    }
    const bad = badJsonObject(item);
    if (bad) {
      yield { ok: false, error: { line: i + 1, input, code: 'invalid_item', reason: bad } };
      continue;
    }
    yield buildEntry(item as EntryFields, i + 1, input, policy);
  }
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

export type { LineError };
