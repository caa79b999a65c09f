import { ConsoleBrowser, chromiumAvailable, openConsole, requireBuiltConsole, signIn } from './browser';
import { ADMIN_TOKEN, TestApp, startMacPool } from '../support/mac-pool-app';
import { NeutronPeer, neutronAvailable, startNeutron } from '../support/neutron';

const suite = 'console: mac-pool reconciliation';
const run = chromiumAvailable(suite) && neutronAvailable(suite) ? describe : describe.skip;

run('console: reconciliation with a real neutron-server, in Chromium', () => {
  let neutron: NeutronPeer;
  let t: TestApp;
  let c: ConsoleBrowser;
  beforeAll(async () => {
    requireBuiltConsole('mac-pool');
    // Plain Neutron (no hook): the pool's allocations are made through the API below.
    neutron = await startNeutron({ withHook: false });
    t = await startMacPool({
      MACPOOL_NEUTRON_URL: neutron.url,
      MACPOOL_RECONCILE_INTERVAL_SECONDS: '0',
      MACPOOL_RECONCILE_GRACE_SECONDS: '0',
    });
    c = await openConsole(t);
  }, 240_000);
  afterAll(async () => {
    await c?.close();
    await t?.close();
    await neutron?.stop();
  });

  it('shows the dry-run report first, then applies it: the orphaned allocation is released', async () => {
    const hook = await t.tokenFor('hook');
    await t.http.post('/v1/pools').set(t.admin).send({ name: 'rec' });
    await t.http.post('/v1/pools/rec/macs').set(t.admin).set('Content-Type', 'text/plain').send('02:00:00:00:7e:01\n02:00:00:00:7e:02\n');
    // A port Neutron never had: reconciliation must release its MAC.
    expect((await t.http.post('/v1/allocations').set(hook).send({ portId: 'gone-port', mac: '02:00:00:00:7e:01' })).status).toBe(201);
    await t.http.post('/v1/allocations/gone-port/commit').set(hook);

    await signIn(c.page, c.url, ADMIN_TOKEN);
    await c.page.getByRole('link', { name: 'Reconciliation' }).click();
    expect(await c.page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
    await c.page.getByRole('button', { name: 'Dry run' }).click();
    const dry = c.page.getByTestId('reconcile-dry-run');
    await dry.waitFor();
    const wouldRelease = dry.getByRole('table', { name: 'Would release' });
    expect(await wouldRelease.locator('tbody tr td.mono').first().textContent()).toBe('02:00:00:00:7e:01');
    expect((await t.http.get('/v1/macs/02:00:00:00:7e:01').set(t.admin)).body.state).toBe('allocated');
    await c.shot('reconcile-dry-run');

    await c.page.getByRole('button', { name: 'Apply' }).click();
    await c.page.getByTestId('reconcile-applied').waitFor();
    expect(await c.page.getByTestId('reconcile-applied').getByRole('table', { name: 'Released' }).locator('tbody tr').count()).toBe(1);
    expect((await t.http.get('/v1/macs/02:00:00:00:7e:01').set(t.admin)).body.state).toBe('free');
    expect(c.foreignRequests).toEqual([]);
    expect(c.problems).toEqual([]);
  });
});
