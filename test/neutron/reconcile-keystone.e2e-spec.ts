import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../support/database';
import { KEYSTONE_ADMIN_PASSWORD, KeystonePeer, keystoneAvailable, startKeystone } from '../support/keystone';
import { NeutronPeer, neutronAvailable, startNeutron } from '../support/neutron';
import { ServiceProcess, spawnService, waitForExit } from '../support/service-process';

const ADMIN = 'reconcile-ks-admin-token-01234';
const peers = keystoneAvailable('Reconcile via Keystone e2e') && neutronAvailable('Reconcile via Keystone e2e') ? describe : describe.skip;

/**
 * Reconciliation reaching Neutron with Keystone credentials from clouds.yaml: token from the real
 * Keystone, Neutron's endpoint from its catalog (no MACPOOL_NEUTRON_URL). Neutron itself runs in
 * noauth mode here, so it does not check the token; Keystone's side is real.
 */
peers('Reconciliation through Keystone credentials (clouds.yaml)', () => {
  let keystone: KeystonePeer;
  let neutron: NeutronPeer;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  let macpool: ServiceProcess | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clouds-'));
    db = await createTestDatabase();
    [keystone, neutron] = await Promise.all([startKeystone(), startNeutron({ withHook: false })]);
    const service = await keystone.admin('POST', '/services', { service: { type: 'network', name: 'neutron' } });
    for (const iface of ['public', 'internal']) {
      const ep = await keystone.admin('POST', '/endpoints', {
        endpoint: { service_id: service.body.service.id, interface: iface, region_id: 'RegionOne', url: neutron.url },
      });
      expect(ep.status).toBe(201);
    }
    const yaml = (password: string) => `clouds:
  cnaf:
    region_name: RegionOne
    interface: internal
    auth:
      auth_url: ${keystone.url.replace(/\/v3$/, '')}
      username: admin
      password: ${password}
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
`;
    await writeFile(join(dir, 'clouds.yaml'), yaml(KEYSTONE_ADMIN_PASSWORD));
    await writeFile(join(dir, 'wrong.yaml'), yaml('not-the-password'));
  }, 240_000);

  afterAll(async () => {
    await macpool?.stop();
    await Promise.all([keystone?.stop(), neutron?.stop()]);
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const env = (file: string) => ({
    DATABASE_URL: db.url,
    MACPOOL_ADMIN_TOKEN: ADMIN,
    MACPOOL_OS_CLOUD: 'cnaf',
    MACPOOL_CLOUDS_YAML: join(dir, file),
    MACPOOL_RECONCILE_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'warn',
  });
  const reconcile = async (svc: ServiceProcess) => {
    const res = await fetch(`${svc.url}/v1/reconcile?dryRun=true`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN}` } });
    return { status: res.status, body: (await res.json()) as any };
  };

  it("lists Neutron's ports at the endpoint Keystone's catalog gives", async () => {
    const net = await neutron.api('POST', '/v2.0/networks', { network: { name: 'ks' } });
    for (let i = 0; i < 3; i++) await neutron.api('POST', '/v2.0/ports', { port: { network_id: net.body.network.id } });
    macpool = await spawnService(env('clouds.yaml'));
    const res = await reconcile(macpool);
    expect(res.status).toBe(200);
    expect(res.body.neutronPorts).toBe(3);
    await macpool.stop();
    macpool = undefined;
  });

  it('says Keystone refused the credentials (502), without the password', async () => {
    macpool = await spawnService(env('wrong.yaml'));
    const res = await reconcile(macpool);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('keystone_error');
    expect(res.body.error.message).toContain('refused user admin for project admin: HTTP 401');
    expect(res.body.error.message).not.toContain('not-the-password');
    await macpool.stop();
    macpool = undefined;
  });

  it('refuses to start when the cloud is missing from clouds.yaml', async () => {
    const svc = await spawnService({ ...env('clouds.yaml'), MACPOOL_OS_CLOUD: 'elsewhere' }, { waitReady: false });
    expect(await waitForExit(svc.proc, 30000)).toBe(1);
    expect(svc.output()).toContain('no cloud named "elsewhere" (found: cnaf)');
  });
});
