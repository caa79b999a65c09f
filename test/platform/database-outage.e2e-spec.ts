import { expectErrorShape } from './http-probes';
import { TcpCut } from './tcp-cut';
import { createTestDatabase } from '../support/database';
import { startMacPool } from '../support/mac-pool-app';
import { TestApp } from '../support/nest-app';

describe('database outage: 503 database_unavailable, then back to normal', () => {
  let t: TestApp;
  let relay: TcpCut;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    relay = await TcpCut.to(db.url);
    t = await startMacPool({ DATABASE_URL: relay.via(db.url) });
  });
  afterAll(async () => {
    await t.close();
    await relay.cut();
    await db.drop();
  });

  it('answers 503 with a clear code while PostgreSQL is unreachable, 200 when it is back', async () => {
    expect((await t.http.get('/v1/pools').set(t.admin)).status).toBe(200);
    await relay.cut();
    // Requests that must reach PostgreSQL: a token not seen before, a write, a history read.
    for (const res of [
      await t.http.get('/v1/pools').set({ Authorization: 'Bearer some-other-token-0123' }),
      await t.http.post('/v1/pools').set(t.admin).send({ name: 'during-outage' }),
      await t.http.get('/v1/macs/02:00:00:00:00:01/history').set(t.admin),
    ]) {
      expect(res.status).toBe(503);
      expectErrorShape(res.body, 'database_unavailable');
    }
    await relay.restore();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await t.http.get('/v1/pools').set(t.admin)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });
});
