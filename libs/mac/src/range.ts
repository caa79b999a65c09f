import { Mac, MacFormatError, MacPolicy, parseMac, readMac, validMac } from './mac';

export interface MacRange {
  first: Mac;
  last: Mac;
}

export interface RangePolicy extends MacPolicy {
  /** Most MACs one range line may expand to (default 2^24: one OUI's worth). */
  maxRangeSize: number;
}

export const DEFAULT_MAX_RANGE_SIZE = 2 ** 24;

export const rangeSize = (r: MacRange) => r.last - r.first + 1;

/**
 * Finds where a `first-last` range splits. The dash is also a MAC separator
 * (aa-bb-cc-dd-ee-ff), so every dash is tried and the split where both sides read as MACs wins.
 */
function splitRange(text: string): [string, string] | null {
  const s = text.trim();
  for (let i = s.indexOf('-'); i > 0; i = s.indexOf('-', i + 1)) {
    const left = s.slice(0, i);
    const right = s.slice(i + 1);
    if (readMac(left) !== null && readMac(right) !== null) return [left, right];
  }
  return null;
}

/** Parses one MAC or an inclusive `first-last` range, validated against the policy. */
export function parseMacOrRange(text: string, policy: RangePolicy): MacRange {
  const single = readMac(text);
  if (single !== null) {
    const mac = validMac(single, text, policy);
    return { first: mac, last: mac };
  }
  const parts = splitRange(text);
  if (!parts) throw new MacFormatError('invalid_format', text);
  const first = parseMac(parts[0], policy);
  const last = parseMac(parts[1], policy);
  if (last < first) throw new MacFormatError('range_reversed', text);
  // Every first octet between two different ones includes an odd (multicast) value, and the
  // first octet also carries the U/L bit: keep a range inside one first octet.
  if (Math.floor(first / 2 ** 40) !== Math.floor(last / 2 ** 40)) {
    throw new MacFormatError('range_crosses_oui_octet', text);
  }
  if (last - first + 1 > policy.maxRangeSize) throw new MacFormatError('range_too_large', text);
  return { first, last };
}
