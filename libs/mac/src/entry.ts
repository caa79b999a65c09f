import { isIPv4, isIPv6 } from 'node:net';
import { textProblem } from '@app/platform/http/input-text';
import { normaliseHostname } from './hostname';
import { MacFormatError, REJECTION_TEXT } from './mac';
import { MacRange, RangePolicy, parseMacOrRange, rangeSize } from './range';

/** One accepted upload line: a MAC or range plus the metadata it binds to (single MACs only). */
export interface PoolEntry extends MacRange {
  line: number;
  hostname?: string;
  ipv4?: string;
  ipv6?: string;
  description?: string;
}

/** A refused upload line. `line` is 1-based (for JSON: the array element number). */
export interface LineError {
  line: number | null;
  input: string;
  code: string;
  reason: string;
}

export type ParsedLine = { ok: true; entry: PoolEntry } | { ok: false; error: LineError };

export interface EntryFields {
  mac: string;
  hostname?: string;
  ipv4?: string;
  ipv6?: string;
  description?: string;
}

const MAX_DESCRIPTION_LENGTH = 255;

const fail = (line: number, input: string, code: string, reason: string): ParsedLine => ({
  ok: false,
  error: { line, input, code, reason },
});

/** Validates one record's fields into an entry; every refusal names the field at fault. */
export function buildEntry(fields: EntryFields, line: number, input: string, policy: RangePolicy): ParsedLine {
  let range: MacRange;
  try {
    range = parseMacOrRange(fields.mac ?? '', policy);
  } catch (err) {
    if (err instanceof MacFormatError) {
      const reason =
        err.reason === 'range_too_large' ? `${REJECTION_TEXT[err.reason]} (${policy.maxRangeSize})` : REJECTION_TEXT[err.reason];
      return fail(line, input, err.reason, `mac: ${reason}`);
    }
    throw err;
  }
  const entry: PoolEntry = { line, ...range };
  const hasHostMetadata = Boolean(fields.hostname || fields.ipv4 || fields.ipv6);
  if (hasHostMetadata && rangeSize(range) > 1) {
    return fail(line, input, 'metadata_on_range', 'hostname/ipv4/ipv6 belong to one machine: give them on a single MAC, not a range');
  }
  if (fields.hostname) {
    const hostname = normaliseHostname(fields.hostname);
    if (!hostname) return fail(line, input, 'invalid_hostname', `hostname: ${JSON.stringify(fields.hostname)} is not a valid DNS name`);
    entry.hostname = hostname;
  }
  if (fields.ipv4) {
    if (!isIPv4(fields.ipv4.trim()))
      return fail(line, input, 'invalid_ipv4', `ipv4: ${JSON.stringify(fields.ipv4)} is not an IPv4 address`);
    entry.ipv4 = fields.ipv4.trim();
  }
  if (fields.ipv6) {
    if (!isIPv6(fields.ipv6.trim()))
      return fail(line, input, 'invalid_ipv6', `ipv6: ${JSON.stringify(fields.ipv6)} is not an IPv6 address`);
    entry.ipv6 = fields.ipv6.trim().toLowerCase();
  }
  if (fields.description) {
    if (fields.description.length > MAX_DESCRIPTION_LENGTH) {
      return fail(line, input, 'description_too_long', `description: longer than ${MAX_DESCRIPTION_LENGTH} characters`);
    }
    // A lone surrogate ("\ud800" in JSON) would reach PostgreSQL as U+FFFD: refused, as NUL is.
    const problem = textProblem(fields.description);
    if (problem) return fail(line, input, 'invalid_text', `description: ${problem}`);
    entry.description = fields.description;
  }
  return { ok: true, entry };
}
