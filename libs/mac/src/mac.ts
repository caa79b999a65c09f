/**
 * MAC addresses as 48-bit integers. A JS number holds 2^53 exactly, so arithmetic on ranges
 * stays exact without BigInt (which is ~10x slower on the upload hot path).
 */
export type Mac = number;

export const MAC_SPACE = 2 ** 48;

/** Why a MAC (or range) is refused. Stable codes: clients and tests match on them. */
export type MacRejection =
  | 'invalid_format'
  | 'multicast'
  | 'broadcast'
  | 'all_zero'
  | 'universal_not_allowed'
  | 'range_reversed'
  | 'range_too_large'
  | 'range_crosses_oui_octet';

export const REJECTION_TEXT: Record<MacRejection, string> = {
  invalid_format:
    'not a MAC address (expected 12 hex digits as aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or aabbccddeeff)',
  multicast: 'multicast address (I/G bit of the first octet is set): a port needs a unicast MAC',
  broadcast: 'broadcast address ff:ff:ff:ff:ff:ff',
  all_zero: 'all-zero address 00:00:00:00:00:00',
  universal_not_allowed:
    'universally administered address (U/L bit clear) and the pool does not allow universal MACs',
  range_reversed: 'range end is lower than its start',
  range_too_large: 'range holds more MACs than the configured cap',
  range_crosses_oui_octet:
    'range spans different first octets, so it would contain multicast or mixed-administration MACs',
};

export class MacFormatError extends Error {
  constructor(
    readonly reason: MacRejection,
    readonly input: string,
  ) {
    super(`${JSON.stringify(input)}: ${REJECTION_TEXT[reason]}`);
  }
}

const COLON_OR_DASH = /^([0-9a-f]{2})([:-])([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i;
const CISCO_DOTS = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i;
const BARE = /^[0-9a-f]{12}$/i;

/** Reads any accepted spelling into its integer value, or null when the text is no MAC at all. */
export function readMac(text: string): Mac | null {
  const s = text.trim();
  let hex: string | null = null;
  let m: RegExpExecArray | null;
  if ((m = COLON_OR_DASH.exec(s))) hex = m[1] + m[3] + m[4] + m[5] + m[6] + m[7];
  else if ((m = CISCO_DOTS.exec(s))) hex = m[1] + m[2] + m[3];
  else if (BARE.test(s)) hex = s;
  return hex === null ? null : parseInt(hex, 16);
}

export function formatMac(mac: Mac): string {
  const hex = mac.toString(16).padStart(12, '0');
  return `${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}:${hex.slice(8, 10)}:${hex.slice(10, 12)}`;
}

const firstOctet = (mac: Mac) => Math.floor(mac / 2 ** 40);

export interface MacPolicy {
  /** Accept universally administered (vendor-assigned) MACs, i.e. with the U/L bit clear. */
  allowUniversal: boolean;
}

/** The reason a single MAC value is not usable for a port under the policy, or null. */
export function rejectionOf(mac: Mac, policy: MacPolicy): MacRejection | null {
  if (mac === 0) return 'all_zero';
  if (mac === MAC_SPACE - 1) return 'broadcast';
  const octet = firstOctet(mac);
  if (octet & 0x01) return 'multicast';
  if (!(octet & 0x02) && !policy.allowUniversal) return 'universal_not_allowed';
  return null;
}

/** Parses and validates one MAC; throws MacFormatError naming the reason. */
export function parseMac(text: string, policy: MacPolicy = { allowUniversal: true }): Mac {
  const mac = readMac(text);
  if (mac === null) throw new MacFormatError('invalid_format', text);
  const reason = rejectionOf(mac, policy);
  if (reason) throw new MacFormatError(reason, text);
  return mac;
}

/** Canonical form (lower-case, colons) of any accepted spelling, validated as a port MAC. */
export function normaliseMac(text: string, policy?: MacPolicy): string {
  return formatMac(parseMac(text, policy));
}
