import { Mac, PoolEntry, formatMac } from '@app/mac';

// COPY text format: tab-separated, \N for NULL, backslash escapes for the few special bytes.
const escapeCopy = (v: string) => v.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);
const field = (v: string | undefined) => (v === undefined ? '\\N' : escapeCopy(v));

/** The COPY line (line, mac, hostname, ipv4, ipv6, description) of one MAC of an entry. */
export function copyRowOf(entry: PoolEntry, mac: Mac): string {
  return `${entry.line}\t${formatMac(mac)}\t${field(entry.hostname)}\t${field(entry.ipv4)}\t${field(entry.ipv6)}\t${field(entry.description)}\n`;
}
