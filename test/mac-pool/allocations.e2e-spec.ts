import { DataSource } from 'typeorm';
import { TestApp, startMacPool } from '../support/mac-pool-app';

describe('mac-pool: allocations for the Neutron hook (real PostgreSQL)', () => {
  let t: TestApp;
  let hook: { Authorization: string };
  const db = () => t.app.get(DataSource);
  const reserve = (body: Record<string, unknown>) => t.http.post('/v1/allocations').set(hook).send(body);
  const pool = (name: string, extra: Record<string, unknown>, macs: string, type = 'text/plain') =>
    t.http
      .post('/v1/pools')
      .set(t.admin)
      .send({ name, ...extra })
      .then(() => t.http.post(`/v1/pools/${name}/macs`).set(t.admin).set('Content-Type', type).send(macs))
      .then((r) => expect(r.status).toBe(200));

  beforeAll(async () => {
    t = await startMacPool({ MACPOOL_SWEEP_INTERVAL_SECONDS: '3600' });
    hook = await t.tokenFor('hook');
    // Scoped to the networks of the tests that use them: a test on another network sees only its own pools.
    const shared = { networkIds: ['net-a', 'net-x'] };
    await pool('general', { priority: 10, scope: shared }, '02:10:00:00:00:01-02:10:00:00:00:05\n');
    await pool(
      'hosts',
      { priority: 5, scope: shared },
      'mac,hostname,ipv4\n02:20:00:00:00:01,wn-001.cnaf.infn.it,10.0.0.1\n02:20:00:00:00:02,ui-02,\n',
      'text/csv',
    );
    await pool('net-x', { priority: 100, scope: { networkIds: ['net-x'] } }, '02:30:00:00:00:01-02:30:00:00:00:02\n');
  });
  afterAll(() => t.close());

  it('reserves a MAC (201) and gives the same one again for the same port (200)', async () => {
    const first = await reserve({ portId: 'port-1', networkId: 'net-a', projectId: 'proj', deviceId: 'vm-1', deviceOwner: 'compute:nova' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ portId: 'port-1', pool: 'general', state: 'reserved', mac: '02:10:00:00:00:01' });
    expect(new Date(first.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 200_000);
    const again = await reserve({ portId: 'port-1', networkId: 'net-a' });
    expect(again.status).toBe(200);
    expect(again.body.mac).toBe(first.body.mac);
  });

  it('prefers the admitting pool of highest priority', async () => {
    const res = await reserve({ portId: 'port-x', networkId: 'net-x' });
    expect(res.body.pool).toBe('net-x');
  });

  it('gives a VM the MAC registered for its hostname, short or fully qualified, with its metadata', async () => {
    const short = await reserve({ portId: 'port-wn', networkId: 'net-a', hostname: 'wn-001' });
    expect(short.body).toMatchObject({ mac: '02:20:00:00:00:01', pool: 'hosts', hostname: 'wn-001.cnaf.infn.it', ipv4: '10.0.0.1' });
    const fqdn = await reserve({ portId: 'port-ui', networkId: 'net-a', hostname: 'UI-02.cnaf.infn.it' });
    expect(fqdn.body).toMatchObject({ mac: '02:20:00:00:00:02', hostname: 'ui-02' });
  });

  it('does not match two different fully qualified names', async () => {
    await pool(
      'fq',
      { scope: { networkIds: ['net-fq'] } },
      'mac,hostname\n02:50:00:00:00:01,db-1.other.org\n02:50:00:00:00:02,\n',
      'text/csv',
    );
    const res = await reserve({ portId: 'port-db', networkId: 'net-fq', hostname: 'db-1.cnaf.infn.it' });
    // A hostname match would take db-1.other.org's MAC; without one, the pool's order gives MACs without a hostname first.
    expect(res.body.mac).toBe('02:50:00:00:00:02');
  });

  it('uses a requested MAC when free and admitted', async () => {
    const res = await reserve({ portId: 'port-req', networkId: 'net-a', mac: '02-10-00-00-00-05' });
    expect(res.body.mac).toBe('02:10:00:00:00:05');
    expect((await reserve({ portId: 'port-req2', mac: 'nonsense' })).body.error.code).toBe('invalid_mac');
    // Taken already: the port still gets a MAC, chosen the usual way.
    const fallback = await reserve({ portId: 'port-req3', networkId: 'net-a', mac: '02:10:00:00:00:05', hostname: 'ui-02' });
    expect(fallback.status).toBe(201);
    expect(fallback.body.mac).not.toBe('02:10:00:00:00:05');
  });

  it('commits, reads and releases; history answers who had the MAC when', async () => {
    const r = await reserve({ portId: 'port-life', deviceId: 'vm-life', projectId: 'p-life', networkId: 'net-a' });
    const mac = r.body.mac as string;
    const commit = await t.http.post('/v1/allocations/port-life/commit').set(hook);
    expect(commit.status).toBe(200);
    expect(commit.body).toMatchObject({ state: 'allocated', mac, expiresAt: null });
    expect((await t.http.post('/v1/allocations/port-life/commit').set(hook)).body.state).toBe('allocated');
    expect((await t.http.get('/v1/allocations/port-life').set(hook)).body.mac).toBe(mac);
    const during = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    expect((await t.http.delete('/v1/allocations/port-life').set(hook)).status).toBe(204);
    expect((await t.http.get('/v1/allocations/port-life').set(hook)).status).toBe(404);

    const history = await t.http.get(`/v1/macs/${mac}/history`).query({ at: during }).set(t.admin);
    expect(history.body.events.map((e: { action: string }) => e.action)).toEqual(['reserved', 'committed', 'released']);
    expect(history.body.events[0]).toMatchObject({ portId: 'port-life', deviceId: 'vm-life', projectId: 'p-life', networkId: 'net-a' });
    expect(history.body.events[0].actor).toMatch(/^hook-/);
    expect(history.body.at.holder).toMatchObject({ portId: 'port-life', deviceId: 'vm-life' });
    const after = await t.http
      .get(`/v1/macs/${mac}/history`)
      .query({ at: new Date(Date.now() + 1000).toISOString() })
      .set(t.admin);
    expect(after.body.at.holder).toBeNull();
    expect((await t.http.get(`/v1/macs/${mac}/history`).query({ at: 'yesterday' }).set(t.admin)).status).toBe(400);
  });

  it('sees a pool change made on another node (straight in the database) through its NOTIFY, not only by a timeout', async () => {
    await pool('elsewhere', { scope: { networkIds: ['net-elsewhere'] } }, '02:81:00:00:00:00-02:81:00:00:00:3f\n');
    expect((await reserve({ portId: 'elsewhere-0', networkId: 'net-elsewhere' })).status).toBe(201); // the list is now kept
    // As another node's PoolService would: no local invalidation here, only the trigger's NOTIFY.
    await db().query(`UPDATE pools SET network_ids = '{net-moved}' WHERE name = 'elsewhere'`);
    // While told of every change the list is kept without a timeout: were the NOTIFY not heard,
    // the stale scope would admit the port forever.
    let answer = 0;
    for (let i = 1; i <= 50 && answer !== 409; i++) {
      answer = (await reserve({ portId: `elsewhere-${i}`, networkId: 'net-elsewhere' })).status;
      if (answer === 201) await new Promise((r) => setTimeout(r, 100));
    }
    expect(answer).toBe(409);
    expect((await reserve({ portId: 'moved-1', networkId: 'net-moved' })).body.pool).toBe('elsewhere');
  });

  it('answers DELETE of an unknown port with 204 and commit of one with 404', async () => {
    expect((await t.http.delete('/v1/allocations/never-seen').set(hook)).status).toBe(204);
    expect((await t.http.post('/v1/allocations/never-seen/commit').set(hook)).body.error.code).toBe('allocation_not_found');
  });

  it('answers 409 pool_exhausted naming the pools tried', async () => {
    await pool('ex-1', { priority: 7, scope: { networkIds: ['net-ex'] } }, '02:80:00:00:00:01\n');
    await pool('ex-2', { priority: 6, scope: { networkIds: ['net-ex'] } }, '02:80:00:00:00:02\n');
    expect((await reserve({ portId: 'ex-a', networkId: 'net-ex' })).body.pool).toBe('ex-1');
    expect((await reserve({ portId: 'ex-b', networkId: 'net-ex' })).body.pool).toBe('ex-2');
    const last = await reserve({ portId: 'ex-c', networkId: 'net-ex' });
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe('pool_exhausted');
    expect(last.body.error.details.poolsTried).toEqual(['ex-1', 'ex-2']);
  });

  it('batch allocation is all-or-nothing', async () => {
    await pool('batch', { scope: { networkIds: ['net-b'] } }, '02:60:00:00:00:01-02:60:00:00:00:03\n');
    const ok = await t.http
      .post('/v1/allocations/batch')
      .set(hook)
      .send({
        ports: [
          { portId: 'b1', networkId: 'net-b' },
          { portId: 'b2', networkId: 'net-b' },
        ],
      });
    expect(ok.status).toBe(201);
    expect(ok.body.allocations.map((a: { mac: string }) => a.mac)).toEqual(['02:60:00:00:00:01', '02:60:00:00:00:02']);
    const tooMany = await t.http
      .post('/v1/allocations/batch')
      .set(hook)
      .send({
        ports: [
          { portId: 'b3', networkId: 'net-b' },
          { portId: 'b4', networkId: 'net-b' },
        ],
      });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error.details.portId).toBe('b4');
    expect((await t.http.get('/v1/allocations/b3').set(hook)).status).toBe(404);
    const [{ n }] = await db().query(`SELECT count(*)::int AS n FROM macs WHERE port_id = 'b3'`);
    expect(n).toBe(0);
    const dup = await t.http
      .post('/v1/allocations/batch')
      .set(hook)
      .send({ ports: [{ portId: 'b9' }, { portId: 'b9' }] });
    expect(dup.status).toBe(400);
  });

  it('validates the request body', async () => {
    const res = await reserve({ networkId: 'x', bogus: true });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/portId/);
    expect(res.body.error.message).toMatch(/bogus should not exist/);
  });

  it('never gives one MAC to two ports under 400 concurrent requests', async () => {
    await pool('race', { priority: 1000, scope: { networkIds: ['net-race'] } }, '02:70:00:00:00:00-02:70:00:00:01:2b\n');
    const results = await Promise.all(Array.from({ length: 400 }, (_, i) => reserve({ portId: `race-${i % 350}`, networkId: 'net-race' })));
    const ok = results.filter((r) => r.status === 201 || r.status === 200);
    const byPort = new Map<string, string>();
    for (const r of ok) {
      const seen = byPort.get(r.body.portId);
      if (seen) expect(r.body.mac).toBe(seen); // retries of a port get the same MAC
      byPort.set(r.body.portId, r.body.mac);
    }
    expect(byPort.size).toBe(300);
    expect(new Set(byPort.values()).size).toBe(300);
    expect(results.filter((r) => r.status === 409)).toHaveLength(results.length - ok.length);
  });
});
