import fc from 'fast-check';
import { ParsedLine } from './entry';
import { parseCsvUpload, parseJsonUpload, parseTextUpload } from './formats';
import { REJECTION_TEXT, formatMac } from './mac';
import { RangePolicy } from './range';

const policy: RangePolicy = { allowUniversal: true, maxRangeSize: 2 ** 24 };

/** The refusal codes an upload line can carry: the MAC reasons and the entry/format ones. */
const DOCUMENTED_CODES = [
  ...Object.keys(REJECTION_TEXT),
  'metadata_on_range',
  'invalid_hostname',
  'invalid_ipv4',
  'invalid_ipv6',
  'description_too_long',
  'invalid_header',
  'csv_syntax',
  'wrong_column_count',
  'invalid_json',
  'invalid_item',
];

async function collect(batches: AsyncIterable<ParsedLine[]> | Iterable<ParsedLine[]>): Promise<ParsedLine[]> {
  const out: ParsedLine[] = [];
  for await (const batch of batches) out.push(...batch);
  return out;
}

/** Splits text into chunks at arbitrary points, as a network stream would. */
const chunked = (text: string, cuts: number[]) => {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let at = 0;
  for (const p of points) {
    out.push(text.slice(at, p));
    at = p;
  }
  out.push(text.slice(at));
  return out;
};

const junkLine = fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-f:.,"#\- ]{0,30}$/), fc.constantFrom('mac', 'mac,hostname', '"', ''));

describe('upload parsers (properties)', () => {
  it('a text upload of MACs yields each one, canonical, on its own line number, however the stream is cut', async () => {
    // An even first octet (unicast), never all-zero.
    const unicast = fc
      .tuple(fc.integer({ min: 0, max: 127 }), fc.integer({ min: 1, max: 2 ** 40 - 1 }))
      .map(([o, low]) => o * 2 * 2 ** 40 + low);
    await fc.assert(
      fc.asyncProperty(fc.array(unicast, { minLength: 1, maxLength: 30 }), fc.array(fc.nat(), { maxLength: 5 }), async (macs, cuts) => {
        const text = macs.map((m) => formatMac(m).toUpperCase()).join('\r\n');
        const lines = await collect(parseTextUpload(chunked(text, cuts), policy));
        expect(lines).toEqual(macs.map((m, i) => ({ ok: true, entry: { line: i + 1, first: m, last: m } })));
      }),
    );
  });

  it('random text, CSV and JSON never throw: every line is an entry or a documented refusal', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(junkLine, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 4 }), async (rows, cuts) => {
        const text = rows.join('\n');
        for (const lines of [
          await collect(parseTextUpload(chunked(text, cuts), policy)),
          await collect(parseCsvUpload(chunked(text, cuts), policy)),
          await collect(parseJsonUpload(rows, policy)),
          await collect(
            parseJsonUpload(
              rows.map((mac) => ({ mac })),
              policy,
            ),
          ),
        ]) {
          for (const l of lines) if (!l.ok) expect(DOCUMENTED_CODES).toContain(l.error.code);
        }
      }),
    );
  });
});
