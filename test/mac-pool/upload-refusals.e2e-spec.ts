import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { formatMac } from '@app/mac';
import { UploadRepository } from '../../apps/mac-pool/src/uploads/upload.repository';
import { TestApp, startMacPool } from '../support/mac-pool-app';

type LineErrorBody = { line: number | null; input: string; code: string; reason: string };

/** What a refused upload says: every bad line at once, bounded echoes, and no silent emptying of a pool. */
describe('mac-pool: upload refusals (real PostgreSQL)', () => {
  let t: TestApp;
  const send = (pool: string, type: string, body: string, { replace = false, query = {} as Record<string, string> } = {}) =>
    (replace ? t.http.put(`/v1/pools/${pool}/macs`) : t.http.post(`/v1/pools/${pool}/macs`))
      .query(query)
      .set(t.admin)
      .set('Content-Type', type)
      .send(body);
  const count = async (pool: string) =>
    Number(
      (await t.app.get(DataSource).query('SELECT count(*) FROM macs m JOIN pools p ON p.id = m.pool_id WHERE p.name = $1', [pool]))[0]
        .count,
    );
  const errorsOf = (res: { body: { error: { details: { errors: LineErrorBody[] } } } }) =>
    res.body.error.details.errors.map((e) => [e.line, e.code, e.input]);

  beforeAll(async () => {
    t = await startMacPool({ MACPOOL_MAX_REPORTED_ERRORS: '50' });
    for (const name of ['owner', 'mixed', 'full', 'long']) await t.http.post('/v1/pools').set(t.admin).send({ name });
    expect((await send('owner', 'text/plain', '02:00:00:00:07:01\n02:00:00:00:07:02\n')).status).toBe(200);
    expect((await send('full', 'text/plain', '02:00:00:00:08:01-02:00:00:00:08:03\n')).status).toBe(200);
  });
  afterAll(() => t.close());

  describe('one 422 lists syntax errors, in-file duplicates and MACs of other pools together, by line', () => {
    it('text', async () => {
      const res = await send(
        'mixed',
        'text/plain',
        '02:00:00:00:09:01\nnot-a-mac\n02:00:00:00:07:01\n02:00:00:00:09:01\n01:00:5e:00:00:01\n',
      );
      expect(res.status).toBe(422);
      expect(res.body.error.details.errorCount).toBe(4);
      expect(errorsOf(res)).toEqual([
        [2, 'invalid_format', 'not-a-mac'],
        [3, 'in_other_pool', '02:00:00:00:07:01'],
        [4, 'duplicate_in_file', '02:00:00:00:09:01'],
        [5, 'multicast', '01:00:5e:00:00:01'],
      ]);
      expect(await count('mixed')).toBe(0);
    });

    it('CSV', async () => {
      const csv = 'mac,hostname\n02:00:00:00:07:02,a\n02:00:00:00:09:02,b\nzz,c\n02:00:00:00:09:02,d\n';
      const res = await send('mixed', 'text/csv', csv);
      expect(res.status).toBe(422);
      expect(errorsOf(res).map(([line, code]) => [line, code])).toEqual([
        [2, 'in_other_pool'],
        [4, 'invalid_format'],
        [5, 'duplicate_in_file'],
      ]);
    });

    it('JSON', async () => {
      const res = await t.http
        .post('/v1/pools/mixed/macs')
        .set(t.admin)
        .send(['02:00:00:00:09:03', 7, '02:00:00:00:07:02', '02:00:00:00:09:03']);
      expect(res.status).toBe(422);
      expect(errorsOf(res).map(([line, code]) => [line, code])).toEqual([
        [2, 'invalid_item'],
        [3, 'in_other_pool'],
        [4, 'duplicate_in_file'],
      ]);
    });

    it('within MACPOOL_MAX_REPORTED_ERRORS, the first by line, the total always given', async () => {
      const macs = Array.from({ length: 40 }, (_, i) => formatMac(0x02000000b000 + i));
      const lines = [...macs.flatMap((mac, i) => [`bad-${i}`, mac]), ...macs];
      const res = await send('mixed', 'text/plain', lines.join('\n'));
      expect(res.body.error.details.errorCount).toBe(80);
      const listed = (res.body.error.details.errors as LineErrorBody[]).map((e) => e.line);
      const expected = [...Array.from({ length: 40 }, (_, i) => 2 * i + 1), ...Array.from({ length: 10 }, (_, i) => 81 + i)];
      expect(listed).toEqual(expected);
    });
  });

  describe('make-equal with an empty file', () => {
    it.each([
      ['an empty body', 'text/plain', ''],
      ['comments only', 'text/plain', '# nothing\n\n'],
      ['a header-only CSV', 'text/csv', 'mac,hostname\n'],
      ['[]', 'application/json', '[]'],
    ])('%s is refused with empty_replace and removes nothing', async (_what, type, body) => {
      const res = await send('full', type, body, { replace: true });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('empty_replace');
      expect(res.body.error.message).toContain('allowEmpty=true');
      expect(await count('full')).toBe(3);
    });

    it('empties the pool when confirmed with ?allowEmpty=true', async () => {
      const res = await send('full', 'text/plain', '', { replace: true, query: { allowEmpty: 'true' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ removed: 3 });
      expect(await count('full')).toBe(0);
    });
  });

  describe('bounded lines and echoes', () => {
    it('a line over 4 KiB is line_too_long, its echo cut to 200 characters with an ellipsis', async () => {
      const long = `02:00:00:00:0a:01${' '.repeat(200 * 1024)}x`;
      const res = await send('long', 'text/plain', `02:00:00:00:0a:02\n${long}\n02:00:00:00:0a:03\n`);
      expect(res.status).toBe(422);
      const [err] = res.body.error.details.errors as LineErrorBody[];
      expect(err).toMatchObject({ line: 2, code: 'line_too_long' });
      expect(err.input).toHaveLength(201);
      expect(err.input.endsWith('…')).toBe(true);
      expect(JSON.stringify(res.body).length).toBeLessThan(2000);
    });

    it('many 3 KiB bad lines: each echo is cut, the reply stays small', async () => {
      const bad = `${'y'.repeat(3000)}\n`.repeat(2000);
      const res = await send('long', 'text/plain', bad);
      expect(res.status).toBe(422);
      expect(res.body.error.details.errorCount).toBe(2000);
      for (const e of res.body.error.details.errors as LineErrorBody[]) expect(e.input.length).toBeLessThanOrEqual(201);
      expect(JSON.stringify(res.body).length).toBeLessThan(100 * 1024);
    });

    it('a CSV quote left open reports the record where it starts, quickly', async () => {
      const csv = `mac,description\n02:00:00:00:0a:04,"open\n${'z'.repeat(100)}\n`.concat(`${'w'.repeat(80)}\n`.repeat(20000));
      const started = Date.now();
      const res = await send('long', 'text/csv', csv);
      expect(res.status).toBe(422);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(res.body.error.details.errors[0]).toMatchObject({ line: 2, code: 'line_too_long' });
    });

    it('JSON: broken syntax is still 400 invalid_json; an element over 4 KiB is line_too_long', async () => {
      const broken = await t.http.post('/v1/pools/long/macs').set(t.admin).set('Content-Type', 'application/json').send('[1,');
      expect(broken.status).toBe(400);
      expect(broken.body.error.code).toBe('invalid_json');
      const res = await t.http
        .post('/v1/pools/long/macs')
        .set(t.admin)
        .send(['02:00:00:00:0a:05', { mac: '02:00:00:00:0a:06', description: 'd'.repeat(5000) }]);
      expect(res.status).toBe(422);
      expect(res.body.error.details.errors).toEqual([expect.objectContaining({ line: 2, code: 'line_too_long' })]);
      expect(await count('long')).toBe(0);
    });
  });

  it('a COPY whose source fails mid-way is cancelled (CopyFail): the transaction rolls back at once and the connection is reusable', async () => {
    const db = t.app.get(DataSource);
    const runner = db.createQueryRunner();
    await runner.connect();
    const backend: number = (await runner.query('SELECT pg_backend_pid() AS pid'))[0].pid;
    await runner.startTransaction();
    const repo = t.app.get(UploadRepository);
    await repo.createStaging(runner.manager);
    async function* failing() {
      yield `1\t${formatMac(0x02000000c001)}\t\\N\t\\N\t\\N\t\\N\n`;
      await new Promise((r) => setTimeout(r, 50));
      throw new Error('client went away');
    }
    await expect(repo.copyIntoStaging(runner.manager, Readable.from(failing()))).rejects.toThrow();
    // The server has left COPY (it reports the state a moment after answering the CopyFail).
    const stateOf = async () => (await db.query('SELECT state, query FROM pg_stat_activity WHERE pid = $1', [backend]))[0];
    let state = await stateOf();
    for (const until = Date.now() + 3000; state.state === 'active' && Date.now() < until; state = await stateOf()) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state.query).toMatch(/^COPY/);
    expect(state.state).toBe('idle in transaction (aborted)');
    const started = Date.now();
    await runner.rollbackTransaction();
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await runner.query('SELECT 1 AS one'))[0].one).toBe(1);
    await runner.release();
  });
});
