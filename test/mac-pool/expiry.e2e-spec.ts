import { TestApp, startMacPool } from '../support/mac-pool-app';

describe('mac-pool: reservation expiry and quarantine (real PostgreSQL)', () => {
  let t: TestApp;
  let hook: { Authorization: string };
  const reserve = (body: Record<string, unknown>) => t.http.post('/v1/allocations').set(hook).send(body);

  beforeAll(async () => {
    // A long sweep interval: what frees MACs here is the sweep an exhausted allocation runs.
    t = await startMacPool({ MACPOOL_SWEEP_INTERVAL_SECONDS: '3600' });
    hook = await t.tokenFor('hook');
    await t.http.post('/v1/pools').set(t.admin).send({ name: 'quick', reservationTtlSeconds: 1, quarantineSeconds: 2 });
    await t.http.post('/v1/pools/quick/macs').set(t.admin).set('Content-Type', 'text/plain').send('02:40:00:00:00:01\n');
  });
  afterAll(() => t.close());

  it('returns expired reservations to free and ends quarantine after its time', async () => {
    const r = await reserve({ portId: 'port-ttl' });
    expect(r.body).toMatchObject({ pool: 'quick', mac: '02:40:00:00:00:01' });
    const exhausted = await reserve({ portId: 'port-ttl-2' });
    expect(exhausted.status).toBe(409);
    await new Promise((res) => setTimeout(res, 1100));
    // Exhaustion triggers a sweep: the expired reservation is free again.
    const next = await reserve({ portId: 'port-ttl-3' });
    expect(next.status).toBe(201);
    expect(next.body.mac).toBe('02:40:00:00:00:01');
    const events = (await t.http.get('/v1/macs/02:40:00:00:00:01/history').set(t.admin)).body.events.map(
      (e: { action: string; portId: string }) => `${e.action}:${e.portId}`,
    );
    expect(events).toEqual(['reserved:port-ttl', 'expired:port-ttl', 'reserved:port-ttl-3']);

    await t.http.delete('/v1/allocations/port-ttl-3').set(hook);
    expect((await t.http.get('/v1/macs/02:40:00:00:00:01').set(t.admin)).body.state).toBe('quarantined');
    expect((await reserve({ portId: 'port-ttl-4' })).status).toBe(409);
    await new Promise((res) => setTimeout(res, 2100));
    expect((await reserve({ portId: 'port-ttl-4' })).body.mac).toBe('02:40:00:00:00:01');
  });
});
