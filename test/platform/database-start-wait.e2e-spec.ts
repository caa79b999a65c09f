import { TcpCut } from './tcp-cut';
import { createTestDatabase } from '../support/database';
import { spawnService } from '../support/service-process';

const ADMIN = 'start-wait-admin-token-0123456789';

/**
 * After a failover the cluster starts the service and PostgreSQL at once (the service boots while
 * the database recovers): a service started before its database must wait for it, become ready
 * soon after it answers, and give up only after DB_START_WAIT_SECONDS.
 */
describe('a service started before its database', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let relay: TcpCut;

  beforeAll(async () => {
    db = await createTestDatabase();
    relay = await TcpCut.to(db.url);
    await relay.cut(); // PostgreSQL "not there yet": connections refused
  });
  afterAll(async () => {
    await relay.cut();
    await db.drop();
  });

  const ready = async (url: string) => (await fetch(`${url}/health/ready`).catch(() => null))?.status === 200;

  it('waits for PostgreSQL and is ready soon after its return', async () => {
    const svc = await spawnService({ DATABASE_URL: relay.via(db.url), MACPOOL_ADMIN_TOKEN: ADMIN }, { waitReady: false });
    try {
      await new Promise((r) => setTimeout(r, 4000));
      expect([svc.proc.exitCode, await ready(svc.url)]).toEqual([null, false]);
      await relay.restore();
      const back = Date.now();
      while (!(await ready(svc.url)) && Date.now() - back < 10_000) await new Promise((r) => setTimeout(r, 25));
      const waited = Date.now() - back;
      console.log(`ready ${waited} ms after PostgreSQL answered again`);
      expect(await ready(svc.url)).toBe(true);
      // Tried every half second, and the rest of the start (migrations, listen) is quick: about
      // half a second here on a quiet machine; the bound leaves room for a loaded CI machine.
      expect(waited).toBeLessThan(5000);
      const pools = await fetch(`${svc.url}/v1/pools`, { headers: { Authorization: `Bearer ${ADMIN}` } });
      expect(pools.status).toBe(200);
    } finally {
      await svc.stop();
      await relay.cut();
    }
  }, 60_000);

  it('gives up after DB_START_WAIT_SECONDS, exiting 1 with the reason', async () => {
    const svc = await spawnService(
      { DATABASE_URL: relay.via(db.url), MACPOOL_ADMIN_TOKEN: ADMIN, DB_START_WAIT_SECONDS: '2' },
      { waitReady: false },
    );
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => svc.proc.once('exit', resolve));
    const seconds = (Date.now() - started) / 1000;
    expect(code).toBe(1);
    expect(seconds).toBeGreaterThan(1.5);
    expect(seconds).toBeLessThan(30);
    expect(svc.output()).toMatch(/ECONNREFUSED/);
  }, 60_000);
});
