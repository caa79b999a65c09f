import { Server } from 'node:http';
import { expectErrorShape, parseRaw, rawRequest } from './http-probes';
import { startMacPool } from '../support/mac-pool-app';
import { TestApp } from '../support/nest-app';

/**
 * mac-pool runs on Fastify, aai-bridge on express: what a client of mac-pool relied on under
 * express must hold under Fastify too (the platform's set-up in libs/platform/src/http/http-app.ts).
 */
describe('mac-pool on Fastify: the HTTP behaviour its clients had under express', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await startMacPool();
    const server = t.app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    expect((await t.http.post('/v1/pools').set(t.admin).send({ name: 'p' })).status).toBe(201);
  });
  afterAll(() => t.close());

  it('labels request metrics with the route pattern, and unmatched requests as such', async () => {
    expect((await t.http.get('/v1/pools/p').set(t.admin)).status).toBe(200);
    expect((await t.http.get('/v1/nowhere').set(t.admin)).status).toBe(404);
    const metrics = (await t.http.get('/metrics')).text;
    expect(metrics).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/v1\/pools\/:name",status="200"\} 1/);
    expect(metrics).toMatch(/http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1/);
    expect(metrics).not.toMatch(/route="\/v1\/pools\/p"/);
  });

  it('reads JSON bodies as express.json did: 1 MiB at most, objects and arrays only, an empty body is {}', async () => {
    const big = await t.http
      .post('/v1/pools')
      .set(t.admin)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ name: 'big', description: 'x'.repeat(1.1 * 1024 * 1024) }));
    expect(big.status).toBe(413);
    expectErrorShape(big.body, 'payload_too_large');

    const scalar = await t.http.post('/v1/pools').set(t.admin).set('Content-Type', 'application/json').send('"p2"');
    expect(scalar.status).toBe(400);
    expectErrorShape(scalar.body, 'invalid_json');

    // An empty JSON body is an empty object: the DTO's own checks name what is missing.
    const empty = await t.http.post('/v1/pools').set(t.admin).set('Content-Type', 'application/json').send('');
    expect(empty.status).toBe(400);
    expectErrorShape(empty.body, 'validation_failed');
    expect(empty.body.error.message).toMatch(/name must be/);

    const vendorJson = await t.http
      .post('/v1/pools')
      .set(t.admin)
      .set('Content-Type', 'application/merge-patch+json')
      .send('{"name":"p3"}');
    expect(vendorJson.status).toBe(201);
  });

  it('takes a body of another type to a JSON endpoint as no body, not as an unsupported type', async () => {
    const text = await t.http.post('/v1/pools').set(t.admin).set('Content-Type', 'text/plain').send('{"name":"p4"}');
    expect(text.status).toBe(400);
    expectErrorShape(text.body, 'validation_failed');
  });

  it('routes as express did: a trailing slash names the same resource, a long path parameter reaches the handler', async () => {
    expect((await t.http.get('/v1/pools/').set(t.admin)).status).toBe(200);
    const long = await t.http.get(`/v1/pools/${'a'.repeat(300)}`).set(t.admin);
    expect(long.status).toBe(404);
    expectErrorShape(long.body, 'pool_not_found');
  });

  it('reads a JSON body on GET too, as express did: a malformed one is refused on every method', async () => {
    const get = await t.http.get('/v1/pools').set(t.admin).set('Content-Type', 'application/json').send('{"a":');
    expect(get.status).toBe(400);
    expectErrorShape(get.body, 'invalid_json');
    expect((await t.http.get('/v1/pools').set(t.admin)).status).toBe(200);
  });

  it("keeps Node's default limit on a request's time, which Fastify would turn off", () => {
    expect((t.app.getHttpServer() as Server).requestTimeout).toBe(300_000);
  });

  it("answers the router's own refusal of a malformed %-escape in the error shape", async () => {
    const res = parseRaw(await rawRequest(port, 'GET /v1/pools/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    expect(res.status).toBe(400);
    expect(res.contentType).toMatch(/^application\/json/);
    expectErrorShape(res.body, 'bad_request');
  });
});
