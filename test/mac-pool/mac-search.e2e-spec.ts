import { TestApp, startMacPool } from '../support/mac-pool-app';

describe('mac-pool: finding MACs by hostname, port, device or project (real PostgreSQL)', () => {
  let t: TestApp;
  let hook: { Authorization: string };
  const find = (by: string, value: string, auth = t.admin) => t.http.get(`/v1/macs?by=${by}&value=${encodeURIComponent(value)}`).set(auth);

  beforeAll(async () => {
    t = await startMacPool();
    hook = await t.tokenFor('hook');
    await t.http.post('/v1/pools').set(t.admin).send({ name: 's1' });
    await t.http
      .post('/v1/pools/s1/macs')
      .set(t.admin)
      .set('Content-Type', 'text/csv')
      .send('mac,hostname\n02:00:00:00:c0:01,web-1.example.org\n02:00:00:00:c0:02,\n02:00:00:00:c0:03,\n');
    // vm-a held c0:02, gave it back, then got c0:03; project p-1 throughout.
    await t.http
      .post('/v1/allocations')
      .set(hook)
      .send({ portId: 'pa', deviceId: 'vm-a', projectId: 'p-1', mac: '02:00:00:00:c0:02' })
      .expect(201);
    await t.http.delete('/v1/allocations/pa').set(hook).expect(204);
    await t.http
      .post('/v1/allocations')
      .set(hook)
      .send({ portId: 'pb', deviceId: 'vm-a', projectId: 'p-1', mac: '02:00:00:00:c0:03' })
      .expect(201);
  });
  afterAll(() => t.close());

  it("finds a device's MACs now and in the history, one per MAC, the current holding first", async () => {
    const res = await find('deviceId', 'vm-a', await t.tokenFor('reader'));
    expect(res.status).toBe(200);
    expect(res.body.truncated).toBe(false);
    expect(res.body.matches.map((m: any) => [m.mac, m.current, m.portId])).toEqual([
      ['02:00:00:00:c0:03', true, 'pb'],
      ['02:00:00:00:c0:02', false, 'pa'],
    ]);
    expect((await find('projectId', 'p-1')).body.matches).toHaveLength(2);
    expect((await find('portId', 'pa')).body.matches.map((m: any) => m.mac)).toEqual(['02:00:00:00:c0:02']);
  });

  it('finds a MAC by the hostname it was uploaded with, and nothing for unknown values', async () => {
    const res = await find('hostname', 'web-1.example.org');
    expect(res.body.matches).toEqual([
      expect.objectContaining({ mac: '02:00:00:00:c0:01', pool: 's1', current: true, hostname: 'web-1.example.org' }),
    ]);
    expect((await find('deviceId', 'nobody')).body).toEqual({ matches: [], truncated: false });
  });

  it('refuses an unknown field, an empty value and a request without a token; a MAC is still read at /v1/macs/:mac', async () => {
    expect((await find('mac', 'x')).status).toBe(400);
    expect((await find('deviceId', '')).status).toBe(400);
    expect((await t.http.get('/v1/macs?by=deviceId&value=vm-a')).status).toBe(401);
    expect((await t.http.get('/v1/macs/02:00:00:00:c0:01').set(t.admin)).body.hostname).toBe('web-1.example.org');
  });
});
