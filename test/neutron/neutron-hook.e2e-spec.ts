import { Client } from 'pg';
import { createTestDatabase } from '../support/database';
import { NeutronPeer, neutronAvailable, startNeutron } from '../support/neutron';
import { ServiceProcess, freePort, spawnService } from '../support/service-process';

const ADMIN = 'neutron-e2e-admin-token-012345';
const peer = neutronAvailable('Neutron hook e2e') ? describe : describe.skip;

/** The hook inside a real neutron-server (Debian Zed), against a real mac-pool process. */
peer('Neutron hook: ports get pool MACs through the real neutron-server', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let macpool: ServiceProcess;
  let macpoolPort: number;
  let neutron: NeutronPeer;
  let neutronOpen: NeutronPeer; // the same hook with fail_open = true
  let hookToken: string;
  let networkId: string;
  let smallNetworkId: string;
  const adminHeaders = { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' };
  const pool = async (method: string, path: string, body?: unknown, type = 'application/json') => {
    const res = await fetch(`http://127.0.0.1:${macpoolPort}${path}`, {
      method,
      headers: { ...adminHeaders, 'Content-Type': type },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const startMacPool = async () => {
    macpool = await spawnService({
      PORT: String(macpoolPort),
      DATABASE_URL: db.url,
      MACPOOL_ADMIN_TOKEN: ADMIN,
      MACPOOL_NEUTRON_URL: neutron?.url ?? 'http://127.0.0.1:9',
      MACPOOL_RECONCILE_INTERVAL_SECONDS: '0',
      MACPOOL_RECONCILE_GRACE_SECONDS: '0',
      LOG_LEVEL: 'warn',
    });
  };
  const createPort = (n: NeutronPeer, port: Record<string, unknown>) =>
    n.api('POST', '/v2.0/ports', { port: { network_id: networkId, ...port } });
  const allocationOf = async (portId: string) => (await pool('GET', `/v1/allocations/${portId}`)).body;
  /**
   * The hook commits after the port create has answered (a background worker in neutron-server):
   * the allocation as soon as it is no longer reserved, or as it still is after 10 s.
   */
  const committed = async (portId: string) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await pool('GET', `/v1/allocations/${portId}`);
      if (res.status !== 200 || res.body.state !== 'reserved' || Date.now() > deadline) return res.body;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    macpoolPort = await freePort();
    await startMacPool();
    hookToken = (await pool('POST', '/v1/tokens', { name: 'neutron-hook', role: 'hook' })).body.token;
    [neutron, neutronOpen] = await Promise.all([
      startNeutron({ macpoolUrl: macpool.url, token: hookToken }),
      startNeutron({ macpoolUrl: macpool.url, token: hookToken, failOpen: true }),
    ]);
    // Restart so the service knows Neutron's URL for reconciliation.
    await macpool.stop();
    await startMacPool();

    const net = await neutron.api('POST', '/v2.0/networks', { network: { name: 'vms' } });
    networkId = net.body.network.id;
    await neutron.api('POST', '/v2.0/subnets', { subnet: { network_id: networkId, cidr: '10.10.0.0/24', ip_version: 4 } });
    const small = await neutron.api('POST', '/v2.0/networks', { network: { name: 'small' } });
    smallNetworkId = small.body.network.id;
    await neutron.api('POST', '/v2.0/subnets', { subnet: { network_id: smallNetworkId, cidr: '10.20.0.0/24', ip_version: 4 } });

    await pool('POST', '/v1/pools', { name: 'vms', priority: 10 });
    await pool('POST', '/v1/pools/vms/macs', '02:aa:00:00:00:00-02:aa:00:00:00:ff\n', 'text/plain');
    await pool('POST', '/v1/pools/vms/macs', 'mac,hostname\n02:bb:00:00:00:01,wn-001.cnaf.infn.it\n', 'text/csv');
    await pool('POST', '/v1/pools', { name: 'small', priority: 100, scope: { networkIds: [smallNetworkId] } });
    await pool('POST', '/v1/pools/small/macs', '02:cc:00:00:00:01\n', 'text/plain');
  }, 240_000);

  afterAll(async () => {
    await Promise.all([neutron?.stop(), neutronOpen?.stop()]);
    await macpool?.stop();
    await db?.drop();
  });

  it('gives a compute port a pool MAC and commits it', async () => {
    const res = await createPort(neutron, { device_owner: 'compute:nova', device_id: 'vm-1' });
    expect(res.status).toBe(201);
    const port = res.body.port;
    expect(port.mac_address).toMatch(/^02:aa:00:00:00:/);
    const allocation = await committed(port.id);
    expect(allocation).toMatchObject({ portId: port.id, mac: port.mac_address, state: 'allocated', pool: 'vms' });
    const mac = (await pool('GET', `/v1/macs/${port.mac_address}`)).body;
    expect(mac).toMatchObject({ networkId, deviceId: 'vm-1', deviceOwner: 'compute:nova', projectId: 'fake_project_id' });
  });

  it('gives a VM the MAC registered for its hostname (dns_name)', async () => {
    const res = await createPort(neutron, { device_owner: 'compute:nova', dns_name: 'wn-001' });
    expect(res.body.port.mac_address).toBe('02:bb:00:00:00:01');
  });

  it('serves bulk creates, one pool MAC per port', async () => {
    const ports = [1, 2, 3].map((i) => ({ network_id: networkId, device_owner: 'compute:nova', device_id: `bulk-${i}` }));
    const res = await neutron.api('POST', '/v2.0/ports', { ports });
    expect(res.status).toBe(201);
    const macs = res.body.ports.map((p: { mac_address: string }) => p.mac_address);
    expect(new Set(macs).size).toBe(3);
    for (const p of res.body.ports) {
      expect(p.mac_address).toMatch(/^02:aa:/);
      expect(await committed(p.id)).toMatchObject({ mac: p.mac_address, state: 'allocated' });
    }
  });

  it('leaves ports with an explicit MAC, and router/DHCP ports, to Neutron', async () => {
    const explicit = await createPort(neutron, { device_owner: 'compute:nova', mac_address: 'fa:16:3e:12:34:56' });
    expect(explicit.body.port.mac_address).toBe('fa:16:3e:12:34:56');
    expect((await pool('GET', `/v1/allocations/${explicit.body.port.id}`)).status).toBe(404);
    const dhcp = await createPort(neutron, { device_owner: 'network:dhcp' });
    expect(dhcp.status).toBe(201);
    expect(dhcp.body.port.mac_address).not.toMatch(/^02:(aa|bb|cc):/);
    expect((await pool('GET', `/v1/allocations/${dhcp.body.port.id}`)).status).toBe(404);
  });

  it('releases the MAC when the port is deleted, and history shows it', async () => {
    const port = (await createPort(neutron, { device_owner: 'compute:nova', device_id: 'vm-del' })).body.port;
    expect(await committed(port.id)).toMatchObject({ mac: port.mac_address, state: 'allocated' });
    expect((await neutron.api('DELETE', `/v2.0/ports/${port.id}`)).status).toBe(204);
    expect((await pool('GET', `/v1/allocations/${port.id}`)).status).toBe(404);
    const history = (await pool('GET', `/v1/macs/${port.mac_address}/history`)).body;
    expect(history.events.map((e: { action: string; actor: string }) => `${e.action}:${e.actor}`)).toEqual(
      expect.arrayContaining(['reserved:neutron-hook', 'committed:neutron-hook', 'released:neutron-hook']),
    );
  });

  it('lets a delete right after the create win over the commit still on its way', async () => {
    const port = (await createPort(neutron, { device_owner: 'compute:nova', device_id: 'vm-brief' })).body.port;
    expect((await neutron.api('DELETE', `/v2.0/ports/${port.id}`)).status).toBe(204);
    // One commit worker sends in creation order: once a later port is committed, this port's
    // commit has been sent or skipped.
    const later = (await createPort(neutron, { device_owner: 'compute:nova', device_id: 'vm-later' })).body.port;
    expect(await committed(later.id)).toMatchObject({ mac: later.mac_address, state: 'allocated' });
    expect((await pool('GET', `/v1/allocations/${port.id}`)).status).toBe(404);
    // Its MAC may have gone to the later port meanwhile (no quarantine), never back to this one.
    expect((await pool('GET', `/v1/macs/${port.mac_address}`)).body.portId).not.toBe(port.id);
    const events: Array<{ action: string; portId: string }> = (await pool('GET', `/v1/macs/${port.mac_address}/history`)).body.events;
    const ofPort = events.filter((e) => e.portId === port.id).map((e) => e.action);
    // Committed or not depending on whether the commit was sent before the delete: released last.
    expect(ofPort[0]).toBe('reserved');
    expect(ofPort[ofPort.length - 1]).toBe('released');

    // A commit reaching the service after the release (it was already on its way): a 404 that
    // changes nothing. Here sent directly, with the hook's token, for a port reserved and released.
    const hook = { Authorization: `Bearer ${hookToken}`, 'Content-Type': 'application/json' };
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${macpoolPort}${path}`, {
        method,
        headers: hook,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const reserved = await (await call('POST', '/v1/allocations', { portId: 'late-commit', networkId })).json();
    expect((await call('DELETE', '/v1/allocations/late-commit')).status).toBe(204);
    const late = await call('POST', '/v1/allocations/late-commit/commit');
    expect(late.status).toBe(404);
    expect((await late.json()).error.code).toBe('allocation_not_found');
    expect((await pool('GET', '/v1/allocations/late-commit')).status).toBe(404);
    expect((await pool('GET', `/v1/macs/${reserved.mac}`)).body.state).not.toBe('allocated');
    const history = (await pool('GET', `/v1/macs/${reserved.mac}/history`)).body.events.map((e: { action: string }) => e.action);
    expect(history.slice(-2)).toEqual(['reserved', 'released']);
  });

  it('fails the create with 409 naming the pool when it is exhausted; fail_open falls back to a Neutron MAC', async () => {
    const first = await neutron.api('POST', '/v2.0/ports', { port: { network_id: smallNetworkId, device_owner: 'compute:nova' } });
    expect(first.body.port.mac_address).toBe('02:cc:00:00:00:01');
    // The "small" pool is full, but "vms" admits any network: scope it away to exhaust the choice.
    await pool('PATCH', '/v1/pools/vms', { scope: { networkIds: [networkId] } });
    try {
      const refused = await neutron.api('POST', '/v2.0/ports', { port: { network_id: smallNetworkId, device_owner: 'compute:nova' } });
      expect(refused.status).toBe(409);
      expect(refused.body.NeutronError.message).toContain('MAC pool refused port');
      expect(refused.body.NeutronError.message).toContain('small');
      // No pool admits ports of the fail_open Neutron's networks now: it picks a MAC itself.
      const net = await neutronOpen.api('POST', '/v2.0/networks', { network: { name: 'unserved' } });
      await neutronOpen.api('POST', '/v2.0/subnets', { subnet: { network_id: net.body.network.id, cidr: '10.40.0.0/24', ip_version: 4 } });
      const open = await neutronOpen.api('POST', '/v2.0/ports', {
        port: { network_id: net.body.network.id, device_owner: 'compute:nova' },
      });
      expect(open.status).toBe(201);
      expect(open.body.port.mac_address).toMatch(/^fa:16:3e:/);
    } finally {
      await pool('PATCH', '/v1/pools/vms', { scope: { networkIds: [] } });
    }
  });

  it('fails with 503 naming the pool service when it is down (fail_open: random MAC), and reconciles a delete missed meanwhile', async () => {
    const kept = (await createPort(neutron, { device_owner: 'compute:nova', device_id: 'vm-kept' })).body.port;
    expect((await committed(kept.id)).state).toBe('allocated');
    await macpool.stop();
    try {
      const refused = await createPort(neutron, { device_owner: 'compute:nova' });
      expect(refused.status).toBe(503);
      expect(refused.body.NeutronError.message).toContain('MAC pool service unavailable');
      expect(refused.body.NeutronError.message).toContain(`127.0.0.1:${macpoolPort}`);
      expect(refused.body.NeutronError.message).not.toContain(hookToken);

      const open = await neutronOpen.api('POST', '/v2.0/networks', { network: { name: 'open' } });
      await neutronOpen.api('POST', '/v2.0/subnets', { subnet: { network_id: open.body.network.id, cidr: '10.30.0.0/24', ip_version: 4 } });
      const fallback = await neutronOpen.api('POST', '/v2.0/ports', {
        port: { network_id: open.body.network.id, device_owner: 'compute:nova' },
      });
      expect(fallback.status).toBe(201);
      expect(fallback.body.port.mac_address).toMatch(/^fa:16:3e:/);

      // Deleted while the service is down: the hook's release fails and is only logged.
      expect((await neutron.api('DELETE', `/v2.0/ports/${kept.id}`)).status).toBe(204);
    } finally {
      await startMacPool();
    }
    expect((await allocationOf(kept.id)).state).toBe('allocated');
    const dry = await pool('POST', '/v1/reconcile?dryRun=true');
    expect(dry.body.release.map((a: { portId: string }) => a.portId)).toContain(kept.id);
    expect((await allocationOf(kept.id)).state).toBe('allocated');
    const done = await pool('POST', '/v1/reconcile');
    expect(done.status).toBe(200);
    expect(done.body.release.map((a: { portId: string }) => a.portId)).toContain(kept.id);
    expect((await pool('GET', `/v1/allocations/${kept.id}`)).status).toBe(404);
  });

  it('leaves no live allocation for a create that failed after the reservation', async () => {
    // An address outside the subnet fails in Neutron's IPAM, after BEFORE_CREATE reserved a MAC.
    const before = await pool('GET', '/v1/stats');
    const failed = await createPort(neutron, { device_owner: 'compute:nova', fixed_ips: [{ ip_address: '192.0.2.10' }] });
    expect(failed.status).toBeGreaterThanOrEqual(400);
    const during = await pool('GET', '/v1/stats');
    expect(during.body.totals.reserved).toBe(before.body.totals.reserved + 1);
    const report = (await pool('POST', '/v1/reconcile')).body;
    expect(report.release).toHaveLength(1);
    expect(report.release[0].state).toBe('reserved');
    const after = await pool('GET', '/v1/stats');
    expect(after.body.totals.reserved).toBe(before.body.totals.reserved);
  });

  it('commits a reservation whose commit was lost, and reports pool MACs on ports without allocation', async () => {
    const port = (await createPort(neutron, { device_owner: 'compute:nova' })).body.port;
    expect((await committed(port.id)).state).toBe('allocated');
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      // As if AFTER_CREATE's commit never reached the service.
      await pg.query(`UPDATE macs SET state = 'reserved', expires_at = now() + interval '1 hour' WHERE port_id = $1`, [port.id]);
    } finally {
      await pg.end();
    }
    const stray = await createPort(neutron, { device_owner: 'compute:nova', mac_address: '02:aa:00:00:00:fe' });
    expect(stray.status).toBe(201);
    const report = (await pool('POST', '/v1/reconcile')).body;
    expect(report.commit.map((a: { portId: string }) => a.portId)).toEqual([port.id]);
    expect((await allocationOf(port.id)).state).toBe('allocated');
    expect(report.unallocatedPoolMacs).toEqual([
      { portId: stray.body.port.id, mac: '02:aa:00:00:00:fe', poolState: 'free', allocatedTo: null },
    ]);
  });
});
