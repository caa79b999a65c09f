import { ParsedLine, PoolEntry, LineError } from './entry';
import { lineBatches, parseCsvUpload, parseJsonUpload, parseTextUpload, uploadFormatOf } from './formats';
import { formatMac } from './mac';
import { RangePolicy } from './range';

const policy: RangePolicy = { allowUniversal: false, maxRangeSize: 1000 };

async function collect(gen: AsyncIterable<ParsedLine[]> | Iterable<ParsedLine[]>) {
  const entries: PoolEntry[] = [];
  const errors: LineError[] = [];
  for await (const batch of gen)
    for (const p of batch) {
      if (p.ok) entries.push(p.entry);
      else errors.push(p.error);
    }
  return { entries, errors };
}

describe('lineBatches', () => {
  it('splits across chunk borders, handles CRLF, a missing final newline and split UTF-8', async () => {
    const bytes = Buffer.from('a\r\nbè\nc');
    const chunks = [bytes.subarray(0, 2), bytes.subarray(2, 5), bytes.subarray(5)];
    const lines: string[] = [];
    for await (const batch of lineBatches(chunks)) lines.push(...batch);
    expect(lines).toEqual(['a', 'bè', 'c']);
  });
});

describe('text uploads', () => {
  it('reads MACs and ranges, skips comments and blank lines, keeps line numbers', async () => {
    const text = '# pool for rack 1\n02:00:00:00:00:01\n\n02:00:00:00:00:10-02:00:00:00:00:12  # three\n  \n02-00-00-00-00-20\n';
    const { entries, errors } = await collect(parseTextUpload([text], policy));
    expect(errors).toEqual([]);
    expect(entries.map((e) => [e.line, formatMac(e.first), formatMac(e.last)])).toEqual([
      [2, '02:00:00:00:00:01', '02:00:00:00:00:01'],
      [4, '02:00:00:00:00:10', '02:00:00:00:00:12'],
      [6, '02:00:00:00:00:20', '02:00:00:00:00:20'],
    ]);
  });

  it('lists every bad line with its number, input and reason', async () => {
    const text = '02:00:00:00:00:01\nnot-a-mac\n01:00:5e:00:00:01\n00:16:3e:00:00:01\nff:ff:ff:ff:ff:ff\n';
    const { entries, errors } = await collect(parseTextUpload([text], policy));
    expect(entries).toHaveLength(1);
    expect(errors.map((e) => [e.line, e.input, e.code])).toEqual([
      [2, 'not-a-mac', 'invalid_format'],
      [3, '01:00:5e:00:00:01', 'multicast'],
      [4, '00:16:3e:00:00:01', 'universal_not_allowed'],
      [5, 'ff:ff:ff:ff:ff:ff', 'broadcast'],
    ]);
    expect(errors[0].reason).toMatch(/^mac: not a MAC address/);
  });
});

describe('CSV uploads', () => {
  it('reads the header, quoted fields and metadata', async () => {
    const csv =
      'MAC,hostname,ipv4,ipv6,description\n' +
      '02:00:00:00:00:01,wn-001.cnaf.infn.it.,10.0.0.1,2001:DB8::1,"worker, rack 1"\n' +
      '"02:00:00:00:00:02",,,,\n';
    const { entries, errors } = await collect(parseCsvUpload([csv], policy));
    expect(errors).toEqual([]);
    expect(entries[0]).toMatchObject({
      line: 2,
      hostname: 'wn-001.cnaf.infn.it',
      ipv4: '10.0.0.1',
      ipv6: '2001:db8::1',
      description: 'worker, rack 1',
    });
    expect(entries[1]).toEqual({ line: 3, first: entries[1].first, last: entries[1].first });
  });

  it('accepts any column order and a subset of columns', async () => {
    const { entries } = await collect(parseCsvUpload(['hostname,mac\nvm1,02:00:00:00:00:01\n'], policy));
    expect(entries[0]).toMatchObject({ hostname: 'vm1', line: 2 });
  });

  it('names bad fields with their line', async () => {
    const csv =
      'mac,hostname,ipv4\n02:00:00:00:00:01,bad_host!,10.0.0.1\n02:00:00:00:00:02,ok,10.0.0.300\n02:00:00:00:00:03,ok\n02:00:00:00:00:04-02:00:00:00:00:05,rack,\n';
    const { errors } = await collect(parseCsvUpload([csv], policy));
    expect(errors.map((e) => [e.line, e.code])).toEqual([
      [2, 'invalid_hostname'],
      [3, 'invalid_ipv4'],
      [4, 'wrong_column_count'],
      [5, 'metadata_on_range'],
    ]);
    expect(errors[0].reason).toContain('hostname');
    expect(errors[0].input).toBe('02:00:00:00:00:01,bad_host!,10.0.0.1');
  });

  it('refuses a header without mac or with unknown columns', async () => {
    expect((await collect(parseCsvUpload(['hostname\nvm1\n'], policy))).errors[0]).toMatchObject({ line: 1, code: 'invalid_header' });
    expect((await collect(parseCsvUpload(['mac,owner\n02:00:00:00:00:01,x\n'], policy))).errors[0].reason).toContain('owner');
    expect((await collect(parseCsvUpload([''], policy))).errors[0].code).toBe('invalid_header');
  });

  it('reports a syntax error (unclosed quote, stray quote) with its line', async () => {
    const { errors } = await collect(parseCsvUpload(['mac\n02:00:00:00:00:01\n"02:00:00:00:00:02\n'], policy));
    expect(errors).toEqual([expect.objectContaining({ line: 3, code: 'csv_syntax' })]);
    const stray = await collect(parseCsvUpload(['mac,description\n02:00:00:00:00:01,a"b"c\n'], policy));
    expect(stray.errors).toEqual([expect.objectContaining({ line: 2, code: 'csv_syntax' })]);
  });

  it('reads a quoted field spanning lines and escaped quotes, numbering by the first line', async () => {
    const csv = 'mac,description\n02:00:00:00:00:01,"two\nlines"\n02:00:00:00:00:02,"say ""hi"""\n';
    const { entries, errors } = await collect(parseCsvUpload([csv], policy));
    expect(errors).toEqual([]);
    expect(entries.map((e) => [e.line, e.description])).toEqual([
      [2, 'two\nlines'],
      [4, 'say "hi"'],
    ]);
  });
});

describe('JSON uploads', () => {
  it('reads strings and objects, numbering elements', async () => {
    const { entries, errors } = await collect(
      parseJsonUpload(
        ['02:00:00:00:00:01', { mac: '02:00:00:00:00:02', hostname: 'vm2' }, { mac: 'x' }, { mac: '02:00:00:00:00:03', owner: 'me' }, 5],
        policy,
      ),
    );
    expect(entries.map((e) => e.line)).toEqual([1, 2]);
    expect(errors.map((e) => [e.line, e.code])).toEqual([
      [3, 'invalid_format'],
      [4, 'invalid_item'],
      [5, 'invalid_item'],
    ]);
  });

  it('refuses a body that is not an array', async () => {
    expect((await collect(parseJsonUpload({ macs: [] }, policy))).errors[0].code).toBe('invalid_json');
  });
});

describe('content types', () => {
  it('maps Content-Type to a format', () => {
    expect(uploadFormatOf('text/plain; charset=utf-8')).toBe('text');
    expect(uploadFormatOf('text/csv')).toBe('csv');
    expect(uploadFormatOf('application/json')).toBe('json');
    expect(uploadFormatOf('application/xml')).toBeNull();
    expect(uploadFormatOf(undefined)).toBeNull();
  });
});
