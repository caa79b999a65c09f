/**
 * MAC addresses as 48-bit integers. A JS number holds 2^53 exactly, so arithmetic on ranges
 * stays exact without BigInt (which is ~10x slower on the upload hot path).
 */
export type Mac = number;

const MAC_SPACE = 2 ** 48;

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
  invalid_format: 'not a MAC address (expected 12 hex digits as aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or aabbccddeeff)',
  multicast: 'multicast address (I/G bit of the first octet is set): a port needs a unicast MAC',
  broadcast: 'broadcast address ff:ff:ff:ff:ff:ff',
  all_zero: 'all-zero address 00:00:00:00:00:00',
  universal_not_allowed: 'universally administered address (U/L bit clear) and the pool does not allow universal MACs',
  range_reversed: 'range end is lower than its start',
  range_too_large: 'range holds more MACs than the configured cap',
  range_crosses_oui_octet: 'range spans different first octets, so it would contain multicast or mixed-administration MACs',
};

export class MacFormatError extends Error {
  constructor(
    readonly reason: MacRejection,
    readonly input: string,
  ) {
    super(`${JSON.stringify(input)}: ${REJECTION_TEXT[reason]}`);
  }
}

const HEX12 = /^[0-9a-f]{12}$/i;
const CISCO_DOTS = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i;

/** Reads any accepted spelling into its integer value, or null when the text is no MAC at all. */
export function readMac(text: string): Mac | null {
  const s = text.trim();
  let hex: string | null = null;
  if (s.length === 17) {
    // aa:bb:cc:dd:ee:ff or aa-bb-cc-dd-ee-ff: one separator, used at every position (the hot path
    // of million-line uploads, hence no regex with back-references).
    const sep = s[2];
    if ((sep === ':' || sep === '-') && s[5] === sep && s[8] === sep && s[11] === sep && s[14] === sep) {
      hex = s.slice(0, 2) + s.slice(3, 5) + s.slice(6, 8) + s.slice(9, 11) + s.slice(12, 14) + s.slice(15, 17);
    }
  } else if (s.length === 14) {
    const m = CISCO_DOTS.exec(s);
    if (m) hex = m[1] + m[2] + m[3];
  } else if (s.length === 12) {
    hex = s;
  }
  return hex !== null && HEX12.test(hex) ? parseInt(hex, 16) : null;
}

/** '00'..'ff': formatting a MAC is six lookups (once per row of a million-line upload). */
const HEX_OCTET = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function formatMac(mac: Mac): string {
  // Two 24-bit halves: bit operators work on 32-bit integers only.
  const high = Math.floor(mac / 2 ** 24);
  const low = mac - high * 2 ** 24;
  return (
    `${HEX_OCTET[high >>> 16]}:${HEX_OCTET[(high >>> 8) & 0xff]}:${HEX_OCTET[high & 0xff]}:` +
    `${HEX_OCTET[low >>> 16]}:${HEX_OCTET[(low >>> 8) & 0xff]}:${HEX_OCTET[low & 0xff]}`
  );
}

const firstOctet = (mac: Mac) => Math.floor(mac / 2 ** 40);

export interface MacPolicy {
  /** Accept universally administered (vendor-assigned) MACs, i.e. with the U/L bit clear. */
  allowUniversal: boolean;
}

/** The reason a single MAC value is not usable for a port under the policy, or null. */
function rejectionOf(mac: Mac, policy: MacPolicy): MacRejection | null {
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
  return validMac(mac, text, policy);
}

/** Checks an already read MAC against the policy; `text` is what the error quotes. */
export function validMac(mac: Mac, text: string, policy: MacPolicy): Mac {
  const reason = rejectionOf(mac, policy);
  if (reason) throw new MacFormatError(reason, text);
  return mac;
}

/** Canonical form (lower-case, colons) of any accepted spelling, validated as a port MAC. */
export function normaliseMac(text: string, policy?: MacPolicy): string {
  return formatMac(parseMac(text, policy));
}
