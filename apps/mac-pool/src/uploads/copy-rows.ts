import { Transform } from 'node:stream';
import { Mac, PoolEntry, formatMac } from '@app/mac';

// COPY text format: tab-separated, \N for NULL, backslash escapes for the few special bytes.
// Almost no field holds one of those bytes: a test is cheaper than a replace that finds nothing.
const SPECIAL = /[\\\t\n\r]/;
const escapeCopy = (v: string) =>
  SPECIAL.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!) : v;
const field = (v: string | undefined) => (v === undefined ? '\\N' : escapeCopy(v));

/** The COPY line (line, mac, hostname, ipv4, ipv6, description) of one MAC of an entry. */
export function copyRowOf(entry: PoolEntry, mac: Mac): string {
  return `${entry.line}\t${formatMac(mac)}\t${field(entry.hostname)}\t${field(entry.ipv4)}\t${field(entry.ipv6)}\t${field(entry.description)}\n`;
}

/** The COPY line (pool_id, mac, hostname, ipv4, ipv6, description) of one MAC of an entry, for `macs` itself. */
export function poolRowOf(poolId: number, entry: PoolEntry, mac: Mac): string {
  return `${poolId}\t${formatMac(mac)}\t${field(entry.hostname)}\t${field(entry.ipv4)}\t${field(entry.ipv6)}\t${field(entry.description)}\n`;
}

/**
 * The staged rows as rows of `macs` (pool_id, mac, hostname, ipv4, ipv6, description): each
 * row's leading line number becomes the pool id. Works on the bytes as latin1, one char per byte:
 * only ASCII digits and tabs at line starts change, so any UTF-8 in the other fields passes intact.
 */
export function poolRowsOf(poolId: number): Transform {
  let rest = '';
  const prefix = `${poolId}\t`;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const text = rest + chunk.toString('latin1');
      const end = text.lastIndexOf('\n') + 1;
      rest = text.slice(end);
      done(null, end ? Buffer.from(text.slice(0, end).replace(LINE_NUMBER, prefix), 'latin1') : undefined);
    },
    flush(done) {
      // Every row ends with a newline: anything left is not a row.
      done(rest ? new Error('staged rows end without a newline') : null);
    },
  });
}

const LINE_NUMBER = /^\d+\t/gm;
