import { ParsedLine, PoolEntry, LineError } from './entry';
import {
  JsonSyntaxError,
  OverlongLine,
  SplitLine,
  clipInput,
  lineBatches,
  parseCsvUpload,
  parseJsonStream,
  parseJsonUpload,
  parseTextUpload,
  uploadFormatOf,
} from './formats';
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
    const lines: SplitLine[] = [];
    for await (const batch of lineBatches(chunks)) lines.push(...batch);
    expect(lines).toEqual(['a', 'bè', 'c']);
  });

  it('cuts a line past the limit to its head without holding the rest, also across chunks and at the end', async () => {
    const lines: SplitLine[] = [];
    const chunks = ['ok\n', 'x'.repeat(30), 'y'.repeat(30), '\r\nnext\n', 'z'.repeat(300)];
    for await (const batch of lineBatches(chunks, 50)) lines.push(...batch);
    expect(lines).toEqual(['ok', new OverlongLine('x'.repeat(30) + 'y'.repeat(30)), 'next', new OverlongLine('z'.repeat(201))]);
  });

  it('a line of exactly the limit passes, with or without CR', async () => {
    const lines: SplitLine[] = [];
    for await (const batch of lineBatches([`${'a'.repeat(10)}\r\n${'b'.repeat(10)}\n`], 10)) lines.push(...batch);
    expect(lines).toEqual(['a'.repeat(10), 'b'.repeat(10)]);
  });

  it('splits 20 MB without newlines in linear time', async () => {
    const chunk = 'q'.repeat(64 * 1024);
    const started = Date.now();
    let count = 0;
    for await (const batch of lineBatches(Array.from({ length: 320 }, () => chunk))) count += batch.length;
    expect(count).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('clipInput', () => {
  it('keeps short input and cuts long input to 200 characters and an ellipsis', () => {
    expect(clipInput('abc')).toBe('abc');
    expect(clipInput('x'.repeat(500))).toBe(`${'x'.repeat(200)}…`);
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

describe('JSON uploads read as a stream', () => {
  const items = ['02:00:00:00:00:01', { mac: '02:00:00:00:00:02', hostname: 'vm2', description: 'a, "b" [c] {d}' }, { mac: 'x' }, 5];

  it('reads the same elements as the parsed body, however the text is cut', async () => {
    const text = JSON.stringify(items, null, 2);
    const whole = await collect(parseJsonUpload(items, policy));
    for (const cut of [1, 7, 13, 40, text.length]) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += cut) chunks.push(text.slice(i, i + cut));
      expect(await collect(parseJsonStream(chunks, policy))).toEqual(whole);
    }
  });

  it('reads [] and surrounding whitespace as no element', async () => {
    expect(await collect(parseJsonStream([' [ ] \n'], policy))).toEqual({ entries: [], errors: [] });
  });

  it('refuses an element past the limit as line_too_long and reads on', async () => {
    const { entries, errors } = await collect(
      parseJsonStream([JSON.stringify([{ mac: '02:00:00:00:00:01', description: 'd'.repeat(500) }, '02:00:00:00:00:02'])], policy, 100),
    );
    expect(entries.map((e) => e.line)).toEqual([2]);
    expect(errors).toEqual([expect.objectContaining({ line: 1, code: 'line_too_long' })]);
    expect(errors[0].input).toHaveLength(201);
  });

  it('refuses a body that is not an array like the parsed one', async () => {
    expect((await collect(parseJsonStream(['{"macs": []}'], policy))).errors[0]).toMatchObject({ line: null, code: 'invalid_json' });
  });

  it.each([['[1,'], ['[1,]'], ['[,1]'], ['[1 2]'], ['[1] x'], [''], ['nope'], ['[{"mac": "a"}}']])(
    'throws JsonSyntaxError on %j',
    async (text) => {
      await expect(collect(parseJsonStream([text], policy))).rejects.toBeInstanceOf(JsonSyntaxError);
    },
  );
});

describe('bounded lines', () => {
  it('text: a long line is line_too_long with a clipped echo; the lines around it are read', async () => {
    const { entries, errors } = await collect(parseTextUpload([`02:00:00:00:00:01\n${'f'.repeat(5000)}\n02:00:00:00:00:02\n`], policy));
    expect(entries.map((e) => e.line)).toEqual([1, 3]);
    expect(errors).toEqual([{ line: 2, input: `${'f'.repeat(200)}…`, code: 'line_too_long', reason: 'line longer than 4096 characters' }]);
  });

  it('CSV: an unclosed quote is refused once its record passes the limit, in linear time; reading resumes after the quote closes', async () => {
    const csv = `mac,description\n02:00:00:00:00:01,"open\n${'w\n'.repeat(3000)}closed"\n02:00:00:00:00:02,fine\n`;
    const { entries, errors } = await collect(parseCsvUpload([csv], policy, 1000));
    expect(errors).toEqual([expect.objectContaining({ line: 2, code: 'line_too_long', input: '02:00:00:00:00:01,"open' })]);
    expect(entries.map((e) => e.line)).toEqual([3004]);
    const huge = `mac\n"open\n${'y'.repeat(60).concat('\n').repeat(100000)}`;
    const started = Date.now();
    const refused = await collect(parseCsvUpload([huge], policy));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(refused.errors).toEqual([expect.objectContaining({ line: 2, code: 'line_too_long' })]);
  });

  it('CSV: a long header is refused as line_too_long', async () => {
    const { errors } = await collect(parseCsvUpload([`mac,${'h'.repeat(5000)}\n02:00:00:00:00:01\n`], policy));
    expect(errors).toEqual([expect.objectContaining({ line: 1, code: 'line_too_long' })]);
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
