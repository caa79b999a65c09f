import { TestApp, startMacPool } from '../support/mac-pool-app';

describe('mac-pool: usage over time from the history (real PostgreSQL)', () => {
  let t: TestApp;
  let hook: { Authorization: string };
  beforeAll(async () => {
    t = await startMacPool();
    hook = await t.tokenFor('hook');
    await t.http
      .post('/v1/pools')
      .set(t.admin)
      .send({ name: 'u1', scope: { networkIds: ['net-u1'] } });
    await t.http
      .post('/v1/pools')
      .set(t.admin)
      .send({ name: 'u2', scope: { networkIds: ['net-u2'] } });
    await t.http.post('/v1/pools/u1/macs').set(t.admin).set('Content-Type', 'text/plain').send('02:00:00:00:aa:00-02:00:00:00:aa:09');
    await t.http.post('/v1/pools/u2/macs').set(t.admin).set('Content-Type', 'text/plain').send('02:00:00:00:bb:00-02:00:00:00:bb:09');
    for (let i = 0; i < 4; i++)
      await t.http
        .post('/v1/allocations')
        .set(hook)
        .send({ portId: `u1-${i}`, networkId: 'net-u1' })
        .expect(201);
    await t.http.post('/v1/allocations/u1-0/commit').set(hook).expect(200);
    await t.http.delete('/v1/allocations/u1-1').set(hook).expect(204);
    await t.http.post('/v1/allocations').set(hook).send({ portId: 'u2-0', networkId: 'net-u2' }).expect(201);
  });
  afterAll(() => t.close());

  it('counts allocations, releases and what ports hold per day, oldest first, for a reader', async () => {
    const reader = await t.tokenFor('reader');
    const res = await t.http.get('/v1/usage?bucket=day&buckets=3&pool=u1').set(reader);
    expect(res.status).toBe(200);
    expect(res.body.bucket).toBe('day');
    expect(res.body.pool).toBe('u1');
    expect(res.body.series).toHaveLength(3);
    const today = new Date();
    today.setUTCHours(0, 0, 0, 0);
    expect(res.body.series[2].start).toBe(today.toISOString());
    // Summed over the window: the setup may straddle midnight UTC.
    const sum = (k: string) => res.body.series.reduce((n: number, p: any) => n + p[k], 0);
    expect([sum('allocations'), sum('releases'), res.body.series[2].held]).toEqual([4, 1, 3]);
    // Before the setup nothing was held: worked back from now through the events.
    expect(res.body.series[0]).toEqual({ start: expect.any(String), allocations: 0, releases: 0, held: 0 });
  });

  it('sums all pools by default, buckets by hour, and refuses bad queries and unknown pools', async () => {
    const all = await t.http.get('/v1/usage?bucket=hour').set(t.admin);
    expect(all.status).toBe(200);
    expect(all.body.series).toHaveLength(48);
    const sum = (k: string) => all.body.series.reduce((n: number, p: any) => n + p[k], 0);
    expect([sum('allocations'), sum('releases'), all.body.series.at(-1).held, all.body.series[0].held]).toEqual([5, 1, 4, 0]);
    expect(new Date(all.body.series.at(-1).start).getUTCMinutes()).toBe(0);
    expect((await t.http.get('/v1/usage').set(t.admin)).body.series).toHaveLength(30);
    expect((await t.http.get('/v1/usage?bucket=week').set(t.admin)).status).toBe(400);
    expect((await t.http.get('/v1/usage?buckets=0').set(t.admin)).status).toBe(400);
    expect((await t.http.get('/v1/usage?pool=nope').set(t.admin)).status).toBe(404);
    expect((await t.http.get('/v1/usage')).status).toBe(401);
  });
});
