import { DataSource } from 'typeorm';
import { TestApp, startMacPool } from '../support/mac-pool-app';

describe('mac-pool: pools, auth and errors (real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startMacPool();
  });
  afterAll(() => t.close());

  it('refuses every API call without a token, with the one error shape', async () => {
    const res = await t.http.post('/v1/pools').send({ name: 'x' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('bearer'), details: null } });
    expect((await t.http.get('/v1/pools').set({ Authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('lets readers read but not write, and hooks not manage pools', async () => {
    const reader = await t.tokenFor('reader');
    const hook = await t.tokenFor('hook');
    expect((await t.http.get('/v1/pools').set(reader)).status).toBe(200);
    const denied = await t.http.post('/v1/pools').set(reader).send({ name: 'r' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    expect((await t.http.post('/v1/pools').set(hook).send({ name: 'h' })).status).toBe(403);
    expect((await t.http.post('/v1/tokens').set(hook).send({ name: 'x', role: 'admin' })).status).toBe(403);
  });

  it('creates, reads, updates and lists pools with counts', async () => {
    const created = await t.http
      .post('/v1/pools')
      .set(t.admin)
      .send({
        name: 'tier1',
        description: 'T1 farm',
        scope: { networkIds: ['net-a'] },
        priority: 50,
        quarantineSeconds: 60,
        allowUniversal: true,
      });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'tier1',
      scope: { networkIds: ['net-a'], projectIds: [], availabilityZones: [] },
      priority: 50,
      quarantineSeconds: 60,
      reservationTtlSeconds: 300,
      allowUniversal: true,
      counts: { free: 0, reserved: 0, allocated: 0, quarantined: 0, total: 0 },
    });
    const patched = await t.http
      .patch('/v1/pools/tier1')
      .set(t.admin)
      .send({ priority: 70, scope: { projectIds: ['p1'] } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ priority: 70, scope: { networkIds: ['net-a'], projectIds: ['p1'] }, description: 'T1 farm' });
    const list = await t.http.get('/v1/pools').set(t.admin);
    expect(list.body.map((p: { name: string }) => p.name)).toContain('tier1');
    expect((await t.http.get('/v1/pools/tier1').set(t.admin)).body.priority).toBe(70);
  });

  it('answers bad input with a 4xx naming the problem', async () => {
    const dup = await t.http.post('/v1/pools').set(t.admin).send({ name: 'dup' });
    expect(dup.status).toBe(201);
    const again = await t.http.post('/v1/pools').set(t.admin).send({ name: 'dup' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('pool_exists');

    const bad = await t.http.post('/v1/pools').set(t.admin).send({ name: 'bad name!', priority: 'high', quarantineSeconds: -1, extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.message).toMatch(/name must be/);
    expect(bad.body.error.message).toMatch(/priority/);
    expect(bad.body.error.message).toMatch(/quarantineSeconds/);
    expect(bad.body.error.message).toMatch(/extra should not exist/);

    const json = await t.http.post('/v1/pools').set(t.admin).set('Content-Type', 'application/json').send('{"name": ');
    expect(json.status).toBe(400);
    expect(json.body.error.code).toBe('invalid_json');

    const missing = await t.http.get('/v1/pools/nope').set(t.admin);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('pool_not_found');
  });

  it('refuses to delete a pool with allocated MACs unless forced', async () => {
    await t.http.post('/v1/pools').set(t.admin).send({ name: 'busy' });
    await t.http.post('/v1/pools/busy/macs').set(t.admin).set('Content-Type', 'text/plain').send('02:00:00:00:aa:01\n');
    const alloc = await t.http.post('/v1/allocations').set(t.admin).send({ portId: 'busy-port' });
    expect(alloc.status).toBe(201);
    const refused = await t.http.delete('/v1/pools/busy').set(t.admin);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'pool_in_use', details: { reserved: 1, allocated: 0 } });
    expect((await t.http.delete('/v1/pools/busy?force=true').set(t.admin)).status).toBe(204);
    expect((await t.http.get('/v1/pools/busy').set(t.admin)).status).toBe(404);
    expect((await t.http.get('/v1/allocations/busy-port').set(t.admin)).status).toBe(404);
  });

  it("manages tokens and never lists a token's secret", async () => {
    const created = await t.http.post('/v1/tokens').set(t.admin).send({ name: 'temp', role: 'reader' });
    expect(created.status).toBe(201);
    expect(created.body.token).toHaveLength(43);
    const list = await t.http.get('/v1/tokens').set(t.admin);
    expect(list.body.find((x: { name: string }) => x.name === 'temp')).toMatchObject({ role: 'reader' });
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect((await t.http.delete('/v1/tokens/temp').set(t.admin)).status).toBe(204);
    expect((await t.http.delete('/v1/tokens/temp').set(t.admin)).status).toBe(404);
  });

  it('serves health, metrics and OpenAPI docs without a token', async () => {
    expect((await t.http.get('/health/live')).status).toBe(200);
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info).toMatchObject({ database: { status: 'up' }, migrations: { status: 'up' } });
    await t.http.get('/v1/pools').set(t.admin); // a request for the route metric to count
    const metrics = await t.http.get('/metrics');
    expect(metrics.text).toMatch(/http_request_duration_seconds_bucket\{.*route="\/v1\/pools"/);
    expect(metrics.text).toContain('macpool_allocations_total');
    const docs = await t.http.get('/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/v1/pools', '/v1/allocations', '/v1/macs/{mac}/history', '/v1/pools/{name}/macs']),
    );
    // The docs say what comes back, not only what goes in.
    const returned = (path: string, method: string, status: string) =>
      docs.body.paths[path][method].responses[status].content['application/json'].schema;
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    expect(returned('/v1/pools', 'get', '200')).toEqual({ type: 'array', items: ref('PoolResponseDto') });
    expect(returned('/v1/pools/{name}/macs', 'post', '200')).toEqual(ref('UploadResultDto'));
    expect(returned('/v1/allocations', 'post', '201')).toEqual(ref('AllocationResponseDto'));
    expect(returned('/v1/macs/{mac}', 'get', '200')).toEqual(ref('MacRecordDto'));
    expect(returned('/v1/macs/{mac}/history', 'get', '200')).toEqual(ref('MacHistoryResponseDto'));
    expect(returned('/v1/stats', 'get', '200')).toEqual(ref('StatsResponseDto'));
    expect(returned('/v1/reconcile', 'post', '200')).toEqual(ref('ReconcileReportDto'));
    expect(Object.keys(docs.body.components.schemas.PoolResponseDto.properties)).toEqual(
      expect.arrayContaining(['name', 'scope', 'counts']),
    );
  });

  it('writes an audit log of admin actions', async () => {
    await t.http.post('/v1/pools').set(t.admin).send({ name: 'audited' });
    await t.http.patch('/v1/pools/audited').set(t.admin).send({ priority: 1 });
    const db = t.app.get(DataSource);
    const rows = await db.query(`SELECT actor, action, target FROM audit_log WHERE target = 'audited' ORDER BY id`);
    expect(rows.map((r: { action: string }) => r.action)).toEqual(['pool.create', 'pool.update']);
    expect(rows[0].actor).toBe('admin');
  });
});
