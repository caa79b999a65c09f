import { Endpoint, endpointsOf, routeName } from './endpoints';
import { FuzzLog, FuzzTarget, fuzz, otherMethods, snapshot, summarize } from './fuzz-run';
import { freePort } from '../support/free-port';
import { startMacPool } from '../support/mac-pool-app';
import { TestApp } from '../support/nest-app';

/** Requests per phase: a few thousand in all across both services, about a minute on two cores. */
const REFUSED_RUNS = Number(process.env.FUZZ_RUNS ?? 1200);
const FREE_RUNS = Math.round(REFUSED_RUNS * 0.8);

/** Routes outside the OpenAPI document: metrics, the document itself, the console. */
const UNDOCUMENTED: Endpoint[] = [
  { method: 'get', path: '/metrics', pathParams: [], query: [], secured: false },
  { method: 'get', path: '/docs-json', pathParams: [], query: [], secured: false, outsideNest: true },
  // The admin console's pages, where the app has one.
  { method: 'get', path: '/admin', pathParams: [], query: [], secured: false },
  { method: 'get', path: '/admin/{path}', pathParams: ['path'], query: [], secured: false },
];

describe('fuzz: mac-pool, every endpoint with hostile requests (fixed seed)', () => {
  let t: TestApp;
  let target: FuzzTarget;
  let endpoints: Endpoint[];
  const refused = new FuzzLog();
  const free = new FuzzLog();

  beforeAll(async () => {
    // Neutron is absent: reconciliation points at a closed port, and runs only when asked.
    t = await startMacPool({
      MACPOOL_NEUTRON_URL: `http://127.0.0.1:${await freePort()}`,
      MACPOOL_RECONCILE_INTERVAL_SECONDS: '0',
      // Background jobs would change rows while the refused phase compares snapshots.
      MACPOOL_SWEEP_INTERVAL_SECONDS: '86400',
      HOUSEKEEPING_INTERVAL_SECONDS: '86400',
      // The 502s the fuzz provokes would log an error each; FUZZ_LOG_LEVEL=error shows them (and any 500's stack).
      LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? 'fatal',
    });
    const hook = await t.tokenFor('hook');
    const reader = await t.tokenFor('reader');
    // Rows for the fuzz to hit: pools, MACs in each state, an allocation.
    for (const name of ['p', 'q']) expect((await t.http.post('/v1/pools').set(t.admin).send({ name })).status).toBe(201);
    const macs = ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03', '02:00:00:00:00:04'].join('\n');
    expect((await t.http.post('/v1/pools/p/macs').set(t.admin).set('Content-Type', 'text/plain').send(macs)).status).toBe(200);
    expect((await t.http.post('/v1/allocations').set(hook).send({ portId: 'port-1', hostname: 'vm-1' })).status).toBe(201);
    expect((await t.http.post('/v1/allocations/port-1/commit').set(hook)).status).toBe(200);

    const doc = (await t.http.get('/docs-json')).body;
    endpoints = [...endpointsOf(doc), ...UNDOCUMENTED];
    // The document leaves the make-equal upload's body out; it reads the same stream as the add.
    const upload = endpoints.find((e) => routeName(e) === 'POST /v1/pools/{name}/macs')!;
    endpoints = endpoints.map((e) => (routeName(e) === 'PUT /v1/pools/{name}/macs' ? { ...e, body: upload.body } : e));
    target = {
      service: 'mac-pool',
      t,
      known: {
        path: {
          name: ['p', 'q', 'nosuch'],
          portId: ['port-1', 'port-2'],
          mac: ['02:00:00:00:00:01', '02:00:00:00:00:04', '02-00-00-00-00-02', '0200.0000.0003', '02:00:00:00:00:99'],
        },
        text: ['p', 'q', 'port-1', '02:00:00:00:00:01', 'vm-1', 'net-1', 'proj-1', 'nova', 'compute:nova', 'reader', 'hook', 'admin'],
        adminToken: t.admin.Authorization.slice('Bearer '.length),
        principals: ['admin', 'admin', 'admin', 'hook', 'hook', 'reader', 'none', 'bogus'],
        cookies: [],
        bodies: {
          'POST /v1/pools': [
            { name: 'fz' },
            {
              name: 'fz-2',
              description: 'fuzz',
              scope: { networkIds: ['net-1'], projectIds: ['proj-1'], availabilityZones: ['nova'] },
              priority: 5,
              quarantineSeconds: 0,
              reservationTtlSeconds: 60,
              allowUniversal: false,
            },
          ],
          'PATCH /v1/pools/{name}': [
            { description: 'changed' },
            { priority: 7, scope: { projectIds: ['proj-1'] } },
            { quarantineSeconds: 5 },
          ],
          'POST /v1/allocations': [
            { portId: 'port-2' },
            {
              portId: 'port-3',
              hostname: 'vm-1',
              networkId: 'net-1',
              projectId: 'proj-1',
              deviceOwner: 'compute:nova',
              availabilityZone: 'nova',
            },
            { portId: 'port-4', mac: '02:00:00:00:00:02' },
          ],
          'POST /v1/allocations/batch': [{ ports: [{ portId: 'b-1' }, { portId: 'b-2', hostname: 'vm-2' }] }],
          'POST /v1/tokens': [{ name: 'fz-token', role: 'reader' }],
        },
      },
      authorization: { admin: t.admin.Authorization, reader: reader.Authorization, hook: hook.Authorization },
      peerFailures: { 'POST /v1/reconcile': ['neutron_unreachable'] },
      allowances: [],
    };
  });
  afterAll(async () => {
    console.log(summarize('mac-pool', refused, free).join('\n'));
    await t?.close();
  });

  it('enumerates every documented route from /docs-json', () => {
    const routes = endpoints.map(routeName);
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /v1/pools',
        'PATCH /v1/pools/{name}',
        'PUT /v1/pools/{name}/macs',
        'POST /v1/allocations/batch',
        'GET /v1/macs/{mac}/history',
        'POST /v1/reconcile',
        'DELETE /v1/tokens/{name}',
      ]),
    );
    expect(endpoints.length).toBeGreaterThanOrEqual(20);
  });

  it('refuses every request carrying something it must refuse with a 4xx in the error shape, and writes nothing', async () => {
    const volatile = { api_tokens: ['last_used_at'] };
    const before = await snapshot(t.databaseUrl, volatile);
    for (const table of ['pools', 'macs', 'api_tokens']) expect(before[table]).not.toMatch(/^0 rows/);
    await fuzz(target, endpoints, 'refused', REFUSED_RUNS, refused);
    expect(refused.failures).toEqual([]);
    expect(await snapshot(t.databaseUrl, volatile)).toEqual(before);
    expect(refused.routes.size).toBe(endpoints.length);
  });

  it('answers anything else below 500 (502 only for reconcile without Neutron), errors in the shape', async () => {
    await fuzz(target, endpoints, 'free', FREE_RUNS, free, otherMethods(endpoints));
    expect(free.failures).toEqual([]);
    expect((await t.http.get('/health/ready')).status).toBe(200);
  });
});
