import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerAvailable } from '../support/peers';

const ROOT = join(__dirname, '../..');
const CLUSTER = join(ROOT, 'test/peers/ha-cluster.sh');
const TOKEN = 'ha-failover-admin-token-0123';
const VIP = '10.99.0.100';
const peer = peerAvailable('real two-node failover', 'corosync, pacemaker and fence_dummy', ['/usr/sbin/corosync', '/usr/sbin/pacemakerd', '/usr/sbin/fence_dummy', '/usr/sbin/ocf-tester'], 'ha-cluster.sh') ? describe : describe.skip;

const cluster = (...args: string[]) => execFileSync(CLUSTER, args, { encoding: 'utf8', timeout: 180_000 });
const client = (...args: string[]) => cluster('on', 'client', ...args);

/**
 * mac-pool under the generated configuration on a real Corosync + Pacemaker pair (network
 * namespaces, fence_dummy): allocations through the VIP, the active node dies, the service comes
 * back on the other node; nothing acknowledged is lost, no MAC is given twice, retries are idempotent.
 */
peer('real two-node failover of mac-pool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-failover-'));
  const run = join(dir, 'cluster');
  // PostgreSQL runs as postgres, the agent's service as root: both walk into this dir.
  chmodSync(dir, 0o755);

  beforeAll(() => {
    execFileSync(join(ROOT, 'deploy/pacemaker/install-agents.sh'), ['infn']);
    cluster('up', run);
    writeFileSync(
      join(dir, 'mac-pool.env'),
      `DATABASE_URL=postgres://postgres@10.99.0.5:5432/postgres\nHOST=0.0.0.0\nPORT=8080\nMACPOOL_ADMIN_TOKEN=${TOKEN}\nMACPOOL_DATA_DIR=${dir}/data\nLOG_LEVEL=warn\n`,
      { mode: 0o644 },
    );
    writeFileSync(
      join(dir, 'cluster.yaml'),
      `name: hatest
nodes: [ctrl1, ctrl2]
fencing: { agent: "stonith:fence_dummy", params: { type: file, status_file: ${run}/fence-status } }
network: { nic: eth0, cidrNetmask: 24 }
services:
  - name: mac-pool
    agent: "ocf:infn:mac-pool"
    vip: ${VIP}
    params: { entry: ${ROOT}/dist/apps/mac-pool/src/main.js, env_file: ${dir}/mac-pool.env, log_file: ${dir}/mac-pool.log, health_url: "http://127.0.0.1:8080/health/ready" }
`,
    );
    execFileSync(process.execPath, [join(ROOT, 'dist/apps/ha-cli/src/main.js'), 'render', join(dir, 'cluster.yaml'), '--out', join(dir, 'rendered')]);
    const cib = readFileSync(join(dir, 'rendered/cib.xml'), 'utf8');
    writeFileSync(join(dir, 'configuration.xml'), /<configuration>[^]*<\/configuration>/.exec(cib)![0]);
    cluster('load', run, join(dir, 'configuration.xml'));
  }, 240_000);

  afterAll(() => {
    try {
      if (!process.env.HA_KEEP) cluster('down', run);
    } finally {
      if (!process.env.HA_KEEP) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps every acknowledged allocation and hands no MAC out twice when the active node dies', async () => {
    const auth = `Authorization: Bearer ${TOKEN}`;
    expect(client('curl', '-sf', '-XPOST', `http://${VIP}:8080/v1/pools`, '-H', auth, '-H', 'Content-Type: application/json', '-d', '{"name":"ha"}')).toContain('"name":"ha"');
    const upload = execFileSync(CLUSTER, ['on', 'client', 'curl', '-sf', '-XPOST', `http://${VIP}:8080/v1/pools/ha/macs`, '-H', auth, '-H', 'Content-Type: text/plain', '--data-binary', '@-'], {
      input: '02:99:00:00:00:00-02:99:00:00:ff:ff\n',
      encoding: 'utf8',
    });
    expect(JSON.parse(upload).added).toBe(65536);

    const active = cluster('on', 'ctrl1', 'crm_resource', '--locate', '-r', 'g-mac-pool').trim().split(': ')[1];
    const survivor = active === 'ctrl1' ? 'ctrl2' : 'ctrl1';
    const resultFile = join(dir, 'driver.json');
    const driver = spawn(CLUSTER, ['on', 'client', process.execPath, join(__dirname, 'alloc-driver.mjs'), `http://${VIP}:8080`, TOKEN, '25', resultFile], { stdio: 'inherit' });
    await new Promise((r) => setTimeout(r, 6000));
    cluster('kill', active);
    await once(driver, 'exit');

    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as { acked: Record<string, string>; maxGapMs: number; retries: number; mismatches: number };
    console.log(`failover: ${active} killed; service back through the VIP on ${survivor} after ${(result.maxGapMs / 1000).toFixed(1)} s (target < 10 s); ${Object.keys(result.acked).length} allocations acknowledged, ${result.retries} retries`);
    cluster('on', survivor, 'crm_resource', '--wait', '--timeout', '60');
    const status = cluster('on', survivor, 'crm_mon', '-1');
    expect([status.includes('Online: [ ' + survivor + ' ]'), /svc-mac-pool\s+\(ocf:infn:mac-pool\):\s+Started (\S+)/.exec(status)?.[1]]).toEqual([true, survivor]);
    expect(result.maxGapMs).toBeLessThan(30_000);
    expect(result.mismatches).toBe(0);

    const rows = client('psql', 'postgres://postgres@10.99.0.5:5432/postgres', '-tA', '-F', ' ', '-c', "SELECT port_id, mac::text FROM macs WHERE port_id LIKE 'ha-port-%'")
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    const inDb = new Map(rows.map(([port, mac]) => [port, mac]));
    expect(new Set(rows.map(([, mac]) => mac)).size).toBe(rows.length); // no MAC twice
    for (const [port, mac] of Object.entries(result.acked)) expect([port, inDb.get(port)]).toEqual([port, mac]);
  }, 180_000);
});
