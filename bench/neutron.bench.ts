import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Figure } from './figures';
import { api, createDatabase, fmt, freePort, percentile, startFloor, startService } from './harness';
import { NeutronApi, OpenStackHttp } from '../libs/openstack/src';

const run = promisify(execFile);
const SCRIPT = join(__dirname, '../../test/peers/neutron.sh');

/**
 * 50 port creates on a real neutron-server with the hook and on one without, interleaved in the
 * same run. Target: the hook adds < 2% to Neutron's port-create time. Each create is timed from
 * request to answer, one at a time: the hook's reservation is inside that time, its commit (sent
 * by a background worker after the answer) is not, so the run also waits for every commit to land
 * and reports how long after the last answer that was. A third neutron-server, interleaved too,
 * runs the same hook against the floor (hook-floor.ts: a trivial HTTP server counting out MACs):
 * what any hook making one call costs here, mac-pool's work aside.
 */
export async function benchNeutron(adminUrl: string, creates = 50): Promise<Figure[]> {
  if (!existsSync('/usr/bin/neutron-server')) throw new Error('neutron-server not installed: bash test/peers/neutron.sh install');
  const url = await createDatabase(adminUrl, 'bench_neutron');
  const svc = await startService(url);
  const peers: Array<{ dir: string; url: string }> = [];
  const floor = await startFloor('hook-floor.js', (port) => [String(port)]);
  try {
    await api(svc.url, 'POST', '/v1/pools', { name: 'vms' });
    await api(svc.url, 'POST', '/v1/pools/vms/macs', '02:dd:00:00:00:00-02:dd:00:00:0f:ff\n', 'text/plain');
    const token = (await api(svc.url, 'POST', '/v1/tokens', { name: 'hook', role: 'hook' })).body.token as string;
    // 0: the hook calling mac-pool, 1: no hook, 2: the hook calling the floor.
    for (const hookUrl of [svc.url, null, floor.url]) {
      const dir = await mkdtemp(join(tmpdir(), 'neutron-bench-'));
      const port = await freePort();
      await run(SCRIPT, ['start', dir], {
        env: {
          ...process.env,
          NEUTRON_PORT: String(port),
          MACPOOL_URL: hookUrl ?? '',
          MACPOOL_TOKEN: token,
          NEUTRON_WITH_HOOK: hookUrl ? '1' : '',
        },
      });
      peers.push({ dir, url: `http://127.0.0.1:${port}` });
    }
    const networks = await Promise.all(
      peers.map(async (p) => {
        const net = (await neutron(p.url, 'POST', '/v2.0/networks', { network: { name: 'bench' } })).network.id as string;
        await neutron(p.url, 'POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '10.50.0.0/16', ip_version: 4 } });
        return net;
      }),
    );
    const times: number[][] = [[], [], []];
    for (let i = 0; i < creates + 5; i++) {
      for (const k of [0, 1, 2]) {
        const t0 = performance.now();
        const body = await neutron(peers[k].url, 'POST', '/v2.0/ports', {
          port: { network_id: networks[k], device_owner: 'compute:nova' },
        });
        if (i >= 5) times[k].push(performance.now() - t0); // the first 5 warm up
        if (k !== 1 && !String(body.port.mac_address).startsWith(k === 0 ? '02:dd:' : '02:de:'))
          throw new Error(`the hook did not give its MAC: ${body.port.mac_address}`);
      }
    }
    // Every with-hook port's reservation committed: none left reserved in the service.
    const answered = performance.now();
    let reserved = Number.NaN;
    while (performance.now() - answered < 30_000) {
      reserved = (await api(svc.url, 'GET', '/v1/stats')).body.totals.reserved as number;
      if (reserved === 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const commitLag = performance.now() - answered;
    if (reserved !== 0) throw new Error(`${reserved} reservations still uncommitted 30 s after the last create`);
    const stats = times.map((t) => {
      const sorted = [...t].sort((a, b) => a - b);
      return { mean: t.reduce((a, b) => a + b, 0) / t.length, p50: percentile(sorted, 50) };
    });
    console.log(`${creates} port creates each, interleaved, real neutron-server (ML2, SQLite):`);
    console.log(`  with the hook:    mean ${fmt(stats[0].mean)} ms, p50 ${fmt(stats[0].p50)} ms`);
    console.log(`  without the hook: mean ${fmt(stats[1].mean)} ms, p50 ${fmt(stats[1].p50)} ms`);
    console.log(
      `  ratio with/without: mean ${fmt(stats[0].mean / stats[1].mean, 3)}x, p50 ${fmt(stats[0].p50 / stats[1].p50, 3)}x  (target < 1.02x)`,
    );
    console.log(`  floor hook:       mean ${fmt(stats[2].mean)} ms, p50 ${fmt(stats[2].p50)} ms (one HTTP call to a trivial server)`);
    console.log(
      `  ratio floor/without: mean ${fmt(stats[2].mean / stats[1].mean, 3)}x (what any calling hook costs here); with/floor: mean ${fmt(stats[0].mean / stats[2].mean, 3)}x (mac-pool's share)`,
    );
    console.log(`  all ${creates + 5} commits landed within ${fmt(commitLag)} ms of the last create's answer`);
    return [
      { name: 'neutron.port_create_mean_ms', value: stats[0].mean, baseline: stats[1].mean, unit: 'ms', target: null },
      { name: 'neutron.overhead_ratio', value: stats[0].mean / stats[1].mean, baseline: null, unit: 'x', target: '< 1.02' },
      { name: 'neutron.floor_overhead_ratio', value: stats[2].mean / stats[1].mean, baseline: null, unit: 'x', target: null },
      { name: 'neutron.commit_lag_ms', value: commitLag, baseline: null, unit: 'ms', target: null },
    ];
  } finally {
    for (const p of peers) {
      await run(SCRIPT, ['stop', p.dir]).catch(() => undefined);
      await rm(p.dir, { recursive: true, force: true });
    }
    await svc.stop();
    await floor.stop();
  }
}

async function neutron(base: string, method: string, path: string, body: unknown): Promise<any> {
  const res = await new NeutronApi(new OpenStackHttp(), null, base).request(method, path, body);
  if (!res.ok) throw new Error(`Neutron ${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}
