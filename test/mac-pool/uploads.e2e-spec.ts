import { DataSource } from 'typeorm';
import { formatMac } from '@app/mac';
import { TestApp, startMacPool } from '../support/mac-pool-app';

describe('mac-pool: uploads (real PostgreSQL)', () => {
  let t: TestApp;
  const upload = (pool: string, type: string, body: string, { replace = false, dryRun = false } = {}) =>
    (replace ? t.http.put(`/v1/pools/${pool}/macs`) : t.http.post(`/v1/pools/${pool}/macs`))
      .query(dryRun ? { dryRun: 'true' } : {})
      .set(t.admin)
      .set('Content-Type', type)
      .send(body);
  const macsOf = async (pool: string): Promise<string[]> =>
    (
      await t.app
        .get(DataSource)
        .query('SELECT m.mac::text AS mac FROM macs m JOIN pools p ON p.id = m.pool_id WHERE p.name = $1 ORDER BY m.mac', [pool])
    ).map((r: { mac: string }) => r.mac);

  beforeAll(async () => {
    t = await startMacPool({ MACPOOL_MAX_RANGE: '4096' });
    for (const name of ['a', 'b', 'c', 'vendor']) {
      await t.http
        .post('/v1/pools')
        .set(t.admin)
        .send({ name, allowUniversal: name === 'vendor' });
    }
  });
  afterAll(() => t.close());

  it('adds text lines and ranges, in any spelling, and counts them', async () => {
    const res = await upload(
      'a',
      'text/plain',
      '# rack 1\n02:00:00:00:00:01\n02-00-00-00-00-10 - 02-00-00-00-00-13\n\n0200.0000.0020 # spare\n',
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ added: 6, updated: 0, removed: 0, unchanged: 0, dryRun: false });
    expect(await macsOf('a')).toEqual([
      '02:00:00:00:00:01',
      '02:00:00:00:00:10',
      '02:00:00:00:00:11',
      '02:00:00:00:00:12',
      '02:00:00:00:00:13',
      '02:00:00:00:00:20',
    ]);
    const again = await upload('a', 'text/plain', '02:00:00:00:00:01\n');
    expect(again.body).toMatchObject({ added: 0, unchanged: 1 });
  });

  it('adds CSV entries with metadata and updates metadata on re-upload', async () => {
    const csv =
      'mac,hostname,ipv4,ipv6,description\n02:00:00:00:01:01,wn-001.cnaf.infn.it,10.1.0.1,2001:db8::1,"rack 1, slot 1"\n02:00:00:00:01:02,wn-002,,,\n';
    expect((await upload('b', 'text/csv', csv)).body).toMatchObject({ added: 2, updated: 0 });
    const mac = await t.http.get('/v1/macs/0200.0000.0101').set(t.admin);
    expect(mac.body).toMatchObject({
      mac: '02:00:00:00:01:01',
      pool: 'b',
      state: 'free',
      hostname: 'wn-001.cnaf.infn.it',
      ipv4: '10.1.0.1',
      ipv6: '2001:db8::1',
      description: 'rack 1, slot 1',
    });
    const changed = await upload('b', 'text/csv', 'mac,hostname\n02:00:00:00:01:02,wn-002.cnaf.infn.it\n');
    expect(changed.body).toMatchObject({ added: 0, updated: 1, unchanged: 0 });
    expect((await t.http.get('/v1/macs/02:00:00:00:01:02').set(t.admin)).body.hostname).toBe('wn-002.cnaf.infn.it');
  });

  it('adds JSON arrays of strings and objects', async () => {
    const res = await t.http
      .post('/v1/pools/c/macs')
      .set(t.admin)
      .send(['02:00:00:00:02:01', { mac: '02:00:00:00:02:02', hostname: 'ui-01' }, '02:00:00:00:02:10-02:00:00:00:02:11']);
    expect(res.status).toBe(200);
    expect(res.body.added).toBe(4);
  });

  it('refuses a file with bad lines: 422 listing every one, nothing written', async () => {
    const before = await macsOf('c');
    const res = await upload(
      'c',
      'text/plain',
      '02:00:00:00:03:01\nbogus\n01:00:5e:00:00:01\n02:00:00:00:03:02\n00:16:3e:00:00:01\n02:00:00:00:00:00-02:00:00:00:ff:ff\n',
    );
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_upload');
    expect(res.body.error.details.errorCount).toBe(4);
    expect(res.body.error.details.errors.map((e: { line: number; code: string; input: string }) => [e.line, e.code, e.input])).toEqual([
      [2, 'invalid_format', 'bogus'],
      [3, 'multicast', '01:00:5e:00:00:01'],
      [5, 'universal_not_allowed', '00:16:3e:00:00:01'],
      [6, 'range_too_large', '02:00:00:00:00:00-02:00:00:00:ff:ff'],
    ]);
    expect(res.body.error.details.errors[3].reason).toContain('4096');
    expect(await macsOf('c')).toEqual(before);
  });

  it('accepts universal MACs only where the pool allows them', async () => {
    expect((await upload('vendor', 'text/plain', '00:16:3e:00:00:01\n')).status).toBe(200);
  });

  it('refuses duplicates inside the file and MACs of another pool, naming lines', async () => {
    await t.http.post('/v1/pools').set(t.admin).send({ name: 'owner' });
    expect((await upload('owner', 'text/plain', '02:00:00:00:07:01\n')).status).toBe(200);
    const res = await upload('c', 'text/plain', '02:00:00:00:04:01\n02:00:00:00:07:01\n02:00:00:00:04:00-02:00:00:00:04:02\n');
    expect(res.status).toBe(422);
    const errors = res.body.error.details.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 2, code: 'in_other_pool', input: '02:00:00:00:07:01', reason: 'already in pool owner' }),
        expect.objectContaining({ line: 3, code: 'duplicate_in_file', input: '02:00:00:00:04:01' }),
      ]),
    );
    expect(errors.find((e: { code: string }) => e.code === 'duplicate_in_file').reason).toMatch(/lines 1, 3/);
    expect(await macsOf('c')).not.toContain('02:00:00:00:04:01');
  });

  it('dry run reports the counts and writes nothing', async () => {
    const res = await upload('c', 'text/plain', '02:00:00:00:05:01\n02:00:00:00:05:02\n', { dryRun: true });
    expect(res.body).toEqual({ added: 2, updated: 0, removed: 0, unchanged: 0, dryRun: true });
    expect(await macsOf('c')).not.toContain('02:00:00:00:05:01');
  });

  it('PUT makes the pool equal to the file, but refuses to drop allocated MACs and lists them', async () => {
    await t.http.post('/v1/pools').set(t.admin).send({ name: 'eq' });
    await upload('eq', 'text/plain', '02:00:00:00:06:01-02:00:00:00:06:05\n');
    const alloc = await t.http.post('/v1/allocations').set(t.admin).send({ portId: 'eq-port', mac: '02:00:00:00:06:05' });
    expect(alloc.body.mac).toBe('02:00:00:00:06:05');

    const refused = await upload('eq', 'text/plain', '02:00:00:00:06:01\n02:00:00:00:06:09\n', { replace: true });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.errors).toEqual([
      expect.objectContaining({
        line: null,
        input: '02:00:00:00:06:05',
        code: 'would_remove_live_mac',
        reason: expect.stringContaining('eq-port'),
      }),
    ]);
    expect(await macsOf('eq')).toHaveLength(5);

    const preview = await upload('eq', 'text/plain', '02:00:00:00:06:01\n02:00:00:00:06:05\n02:00:00:00:06:09\n', {
      replace: true,
      dryRun: true,
    });
    // The dry run names exactly the MACs applying removes: the pool before minus the pool after.
    const before = await macsOf('eq');
    expect(preview.body).toEqual({
      added: 1,
      updated: 0,
      removed: 3,
      unchanged: 2,
      dryRun: true,
      removing: ['02:00:00:00:06:02', '02:00:00:00:06:03', '02:00:00:00:06:04'],
      removingTotal: 3,
    });
    expect(before).toHaveLength(5);

    const done = await upload('eq', 'text/plain', '02:00:00:00:06:01\n02:00:00:00:06:05\n02:00:00:00:06:09\n', { replace: true });
    expect(done.body).toEqual({ added: 1, updated: 0, removed: 3, unchanged: 2, dryRun: false });
    expect(await macsOf('eq')).toEqual(['02:00:00:00:06:01', '02:00:00:00:06:05', '02:00:00:00:06:09']);
    const after = await macsOf('eq');
    expect(before.filter((m) => !after.includes(m))).toEqual(preview.body.removing);
  });

  it('names unsupported content, unknown pools and bad CSV headers', async () => {
    const xml = await upload('a', 'application/xml', '<macs/>');
    expect(xml.status).toBe(415);
    expect(xml.body.error.message).toContain('text/csv');
    expect((await upload('nope', 'text/plain', '02:00:00:00:00:99\n')).body.error.code).toBe('pool_not_found');
    const header = await upload('a', 'text/csv', 'address,hostname\n02:00:00:00:00:99,x\n');
    expect(header.status).toBe(422);
    expect(header.body.error.details.errors[0]).toMatchObject({ line: 1, code: 'invalid_header' });
    const json = await t.http.post('/v1/pools/a/macs').set(t.admin).set('Content-Type', 'application/json').send('[1,');
    expect(json.status).toBe(400);
    expect(json.body.error.code).toBe('invalid_json');
  });

  it('streams a 200,000-line upload in one transaction', async () => {
    await t.http.post('/v1/pools').set(t.admin).send({ name: 'big' });
    const lines: string[] = [];
    for (let i = 0; i < 200000; i++) lines.push(formatMac(0x0a0000000000 + i));
    const res = await upload('big', 'text/plain', lines.join('\n'));
    expect(res.status).toBe(200);
    expect(res.body.added).toBe(200000);
    expect((await t.http.get('/v1/pools/big').set(t.admin)).body.counts.free).toBe(200000);
  });
});
