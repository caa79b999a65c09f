import { Server } from 'node:http';
import { DEEP, expectErrorShape, parseRaw, rawRequest } from './http-probes';
import { startMacPool } from '../support/mac-pool-app';
import { TestApp } from '../support/nest-app';

describe('hostile input: mac-pool answers 4xx naming the field, never 500', () => {
  let t: TestApp;
  let port: number;
  let hook: { Authorization: string };
  let reader: { Authorization: string };

  beforeAll(async () => {
    t = await startMacPool();
    const server = t.app.getHttpServer() as Server;
    // Node checks request timeouts on this interval; short here, so the 408 comes quickly.
    (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 200;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    hook = await t.tokenFor('hook');
    reader = await t.tokenFor('reader');
    expect((await t.http.post('/v1/pools').set(t.admin).send({ name: 'p' })).status).toBe(201);
  });
  afterAll(() => t.close());

  it('refuses a NUL character in path parameters, body fields and query values', async () => {
    for (const res of [
      await t.http.get('/v1/pools/a%00b').set(t.admin),
      await t.http.patch('/v1/pools/a%00b').set(t.admin).send({ priority: 1 }),
      await t.http.delete('/v1/tokens/x%00').set(t.admin),
      await t.http.get('/v1/allocations/port%00').set(t.admin),
    ]) {
      expect(res.status).toBe(400);
      expectErrorShape(res.body, 'invalid_text');
      expect(res.body.error.message).toMatch(/^path parameter (name|portId) contains a NUL/);
    }
    const body = await t.http.post('/v1/pools').set(t.admin).send({ name: 'n1', description: 'a\u0000b' });
    expect(body.status).toBe(400);
    expect(body.body.error).toMatchObject({ code: 'invalid_text', details: { field: 'description', in: 'body' } });
    const nested = await t.http
      .post('/v1/pools')
      .set(t.admin)
      .send({ name: 'n2', scope: { networkIds: ['ok', 'net\u0000'] } });
    expect(nested.body.error).toMatchObject({ code: 'invalid_text', details: { field: 'scope.networkIds[1]' } });
    const alloc = await t.http.post('/v1/allocations').set(hook).send({ portId: 'p1', hostname: 'vm\u0000' });
    expect(alloc.body.error).toMatchObject({ code: 'invalid_text', details: { field: 'hostname' } });
    const key = await t.http
      .post('/v1/pools')
      .set(t.admin)
      .send({ name: 'n3', ['x\u0000']: 1 });
    expect(key.body.error.code).toBe('invalid_text');
    const query = await t.http.get('/v1/macs/02:00:00:00:00:01/history?at=2024-01-01%00').set(t.admin);
    expect(query.status).toBe(400);
    expect(query.body.error).toMatchObject({ code: 'invalid_text', details: { field: 'at', in: 'query' } });
    expect((await t.http.get('/v1/pools').set(t.admin)).body.map((p: { name: string }) => p.name)).toEqual(['p']);
  });

  it('refuses lone surrogates in JSON, naming the field', async () => {
    const res = await t.http.post('/v1/allocations').set(hook).set('Content-Type', 'application/json').send('{"portId": "port-\\ud800"}');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_text', details: { field: 'portId' } });
    expect(res.body.error.message).toContain('surrogate');
    // A pair is one character (an emoji), not a problem.
    const pair = await t.http.post('/v1/pools').set(t.admin).send({ name: 'emoji', description: '\ud83d\ude00' });
    expect(pair.status).toBe(201);
    expect((await t.http.delete('/v1/pools/emoji').set(t.admin)).status).toBe(204);
  });

  it('refuses JSON nested 40,000 levels deep on every JSON endpoint', async () => {
    for (const [method, path, who] of [
      ['post', '/v1/pools', t.admin],
      ['patch', '/v1/pools/p', t.admin],
      ['post', '/v1/allocations', hook],
      ['post', '/v1/allocations/batch', hook],
      ['post', '/v1/tokens', t.admin],
    ] as const) {
      const res = await t.http[method](path).set(who).set('Content-Type', 'application/json').send(`{"name": ${DEEP}}`);
      expect([method, path, res.status]).toEqual([method, path, 400]);
      expectErrorShape(res.body, 'json_too_deep');
    }
  });

  it('refuses a 40,000-level JSON upload (read by the upload reader, not the JSON parser) with a 4xx', async () => {
    const upload = await t.http.post('/v1/pools/p/macs').set(t.admin).set('Content-Type', 'application/json').send(DEEP);
    expect(upload.status).toBeGreaterThanOrEqual(400);
    expect(upload.status).toBeLessThan(500);
    expectErrorShape(upload.body);
    expect((await t.http.get('/v1/pools/p').set(t.admin)).body.counts.free).toBe(0);
  });

  it('refuses a NUL character inside an upload (text, CSV, JSON) with a 4xx', async () => {
    for (const [type, body] of [
      ['text/plain', '02:00:00:00:00:03\u0000\n'],
      ['text/csv', 'mac,hostname\n02:00:00:00:00:03,vm\u0000x\n'],
      ['application/json', '[{"mac": "02:00:00:00:00:03", "hostname": "vm\\u0000x"}]'],
    ]) {
      const res = await t.http.post('/v1/pools/p/macs').set(t.admin).set('Content-Type', type).send(body);
      expect([type, body, res.status >= 400 && res.status < 500]).toEqual([type, body, true]);
      expectErrorShape(res.body);
    }
    expect((await t.http.get('/v1/pools/p').set(t.admin)).body.counts.free).toBe(0);
  });

  it('refuses null for optional body fields, naming each', async () => {
    const create = await t.http
      .post('/v1/pools')
      .set(t.admin)
      .send({ name: 'nulls', priority: null, scope: { networkIds: null } });
    expect(create.status).toBe(400);
    expect(create.body.error.code).toBe('validation_failed');
    expect(create.body.error.details).toEqual([
      'priority must not be null (leave it out instead)',
      'scope.networkIds must not be null (leave it out instead)',
    ]);
    const patch = await t.http.patch('/v1/pools/p').set(t.admin).send({ quarantineSeconds: null });
    expect(patch.status).toBe(400);
    expect(patch.body.error.details).toEqual(['quarantineSeconds must not be null (leave it out instead)']);
    const batch = await t.http
      .post('/v1/allocations/batch')
      .set(hook)
      .send({ ports: [{ portId: 'b1' }, { portId: 'b2', hostname: null }] });
    expect(batch.status).toBe(400);
    expect(batch.body.error.details).toEqual(['ports[1].hostname must not be null (leave it out instead)']);
    expect((await t.http.get('/v1/pools/p').set(t.admin)).body.quarantineSeconds).toBe(0);
  });

  it('refuses unknown query parameters: a typo like ?dryrun=true writes nothing', async () => {
    const typo = await t.http
      .post('/v1/pools/p/macs')
      .query({ dryrun: 'true' })
      .set(t.admin)
      .set('Content-Type', 'text/plain')
      .send('02:00:00:00:00:02\n');
    expect(typo.status).toBe(400);
    expectErrorShape(typo.body, 'unknown_query_parameter');
    expect(typo.body.error.details).toEqual({ unknown: ['dryrun'], allowed: expect.arrayContaining(['dryRun']) });
    expect(typo.body.error.message).toContain('dryrun');
    expect((await t.http.get('/v1/pools/p').set(t.admin)).body.counts.free).toBe(0);
    const dry = await t.http
      .post('/v1/pools/p/macs')
      .query({ dryRun: 'true' })
      .set(t.admin)
      .set('Content-Type', 'text/plain')
      .send('02:00:00:00:00:02\n');
    expect(dry.body).toMatchObject({ added: 1, dryRun: true });
    expect((await t.http.get('/v1/pools/p').set(t.admin)).body.counts.free).toBe(0);
    // Routes with no query parameter take none; DTO-declared names (force) are known.
    expect((await t.http.get('/v1/pools').query({ limit: 5 }).set(t.admin)).body.error.code).toBe('unknown_query_parameter');
    expect((await t.http.post('/v1/allocations').query({ pool: 'p' }).set(hook).send({ portId: 'q1' })).status).toBe(400);
    expect((await t.http.delete('/v1/pools/p').query({ forse: 'true' }).set(t.admin)).body.error.code).toBe('unknown_query_parameter');
    expect((await t.http.get('/v1/pools/p').set(t.admin)).status).toBe(200);
    expect((await t.http.get('/health/live').query({ x: 1 })).status).toBe(400);
  });

  it('refuses a query parameter given twice', async () => {
    const res = await t.http.get('/v1/macs/02:00:00:00:00:01/history?at=2024-01-01&at=2024-01-02').set(reader);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'repeated_query_parameter', details: { field: 'at' } });
  });

  it('takes only ISO 8601 times that exist for ?at=', async () => {
    const at = (value: string) => t.http.get('/v1/macs/02:00:00:00:00:01/history').query({ at: value }).set(reader);
    for (const value of ['-1', '2024-02-30', '1700000000', '2024-05-01T10:00:00', 'yesterday']) {
      const res = await at(value);
      expect([value, res.status, res.body.error?.code]).toEqual([value, 400, 'invalid_time']);
    }
    for (const value of ['2024-02-29', '2024-05-01T10:00:00Z', '2024-05-01T12:00:00.5+02:00']) {
      expect([value, (await at(value)).status]).toEqual([value, 200]);
    }
  });

  it("answers Node's own refusals (malformed, headers too large, too slow) in the error shape", async () => {
    const malformed = parseRaw(await rawRequest(port, 'GET /v1/pools HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'));
    expect(malformed.status).toBe(400);
    expect(malformed.contentType).toMatch(/^application\/json/);
    expectErrorShape(malformed.body, 'bad_request');

    const big = parseRaw(await rawRequest(port, `GET /v1/pools HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(big.status).toBe(431);
    expectErrorShape(big.body, 'request_header_fields_too_large');

    const server = t.app.getHttpServer() as Server;
    const timeouts = [server.requestTimeout, server.headersTimeout];
    server.requestTimeout = 500;
    server.headersTimeout = 500;
    try {
      const slow = parseRaw(await rawRequest(port, 'GET /v1/pools HTTP/1.1\r\nHost: x\r\n'));
      expect(slow.status).toBe(408);
      expectErrorShape(slow.body, 'request_timeout');
    } finally {
      [server.requestTimeout, server.headersTimeout] = timeouts;
    }
  });

  it('gives every error reply a details member', async () => {
    for (const res of [
      await t.http.get('/v1/pools'), // 401
      await t.http.get('/v1/nowhere').set(t.admin), // 404 from Nest's router
      await t.http.get('/v1/pools/none').set(t.admin), // 404 from a service
      await t.http.post('/v1/pools').set(t.admin).set('Content-Type', 'application/json').send('{'), // invalid JSON
      await t.http.post('/v1/pools').set(t.admin).send({ name: 'p' }), // 409
    ]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expectErrorShape(res.body);
    }
  });

  it('gives the hook role the allocation API only, no reads of pools, MACs, history or stats', async () => {
    for (const path of ['/v1/pools', '/v1/pools/p', '/v1/macs/02:00:00:00:00:01', '/v1/macs/02:00:00:00:00:01/history', '/v1/stats']) {
      const res = await t.http.get(path).set(hook);
      expect([path, res.status, res.body.error.code]).toEqual([path, 403, 'forbidden']);
      const read = await t.http.get(path).set(reader);
      expect([path, read.status === 200 || read.body.error?.code === 'mac_not_found']).toEqual([path, true]);
    }
    // The allocation API stays the hook's (an empty pool: exhausted, yet allowed).
    expect((await t.http.post('/v1/allocations').set(hook).send({ portId: 'hook-port' })).body.error.code).toBe('pool_exhausted');
    expect((await t.http.get('/v1/allocations/hook-port').set(hook)).status).toBe(404);
    expect((await t.http.delete('/v1/allocations/hook-port').set(hook)).status).toBe(204);
  });
});
