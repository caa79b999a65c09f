import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildAndInstallRelease, expectedInstalls, installedEntry, InstalledRelease } from './installed-release';
import { postgresqlParams } from './postgresql-resource';
import { summarizeCib } from '../support/cib-summary';
import { peerAvailable } from '../support/peers';

const ROOT = join(__dirname, '../..');
const CLUSTER = join(ROOT, 'test/peers/ha-cluster.sh');
const TOKEN = 'ha-faults-admin-token-0123';
const MAC_VIP = '10.99.0.100';
const PG_VIP = '10.99.0.20';
const PG = `postgres://postgres@${PG_VIP}:5432/postgres`;
// What the controllers run: the release installed on each of them, not the checkout.
const MAC_POOL_ENTRY = installedEntry('mac-pool');
/** mac-pool's processes, for ha-cluster.sh sample. */
const MAC_POOL_PROC = `proc:node:${MAC_POOL_ENTRY}`;
// The agent's PID file in the node's own /run (its default: HA_RSCTMP, the resource's instance).
const MAC_POOL_PID_FILE = '/run/resource-agents/mac-pool-svc-mac-pool.pid';
// The node that wins a fence race: the device that fences it waits FENCE_DELAY_SECONDS first.
const FAVOURED = 'ctrl1';
const LOSER = 'ctrl2';
const FENCE_DELAY_SECONDS = 5;
const suite = 'real two-node cluster faults';
const peer = peerAvailable(
  suite,
  'corosync, pacemaker, fence_dummy, crmsh and psql',
  ['/usr/sbin/corosync', '/usr/sbin/pacemakerd', '/usr/sbin/fence_dummy', '/usr/sbin/crm', '/usr/bin/psql', '/usr/sbin/bridge'],
  'ha-cluster.sh',
)
  ? describe
  : describe.skip;

const cluster = (...args: string[]) => execFileSync(CLUSTER, args, { encoding: 'utf8', timeout: 180_000 });
/** The same without blocking the event loop: for whatever runs while the samplers do. */
const clusterAsync = async (...args: string[]) =>
  (await promisify(execFile)(CLUSTER, args, { encoding: 'utf8', timeout: 180_000, env: { ...process.env, PGCONNECT_TIMEOUT: '1' } }))
    .stdout;
const locate = (resource: string) =>
  cluster('on', FAVOURED, 'crm_resource', '--locate', '-r', resource)
    .trim()
    .split('\n')
    .filter((l) => l.includes('is running on'))
    .map((l) => l.split(': ')[1]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface AllocResult {
  acked: Record<string, string>;
  maxGapMs: number;
  retries: number;
  mismatches: number;
  /** No allocation succeeded for 2 minutes: the driver stopped instead of retrying forever. */
  gaveUp: boolean;
}

/** One look at the whole test network: who runs what, who holds which address. */
interface Sample {
  at: number;
  /** Per process: "node pid state" (host PIDs), zombies left out. */
  macPool: string[];
  postmasters: string[];
  macVip: string[];
  pgVip: string[];
}
/** Who writes to the database: client_addr of mac-pool's sessions, as PostgreSQL (through its VIP) sees them. */
interface DbSample {
  at: number;
  writers: string[];
}

/**
 * Two faults on a real Corosync + Pacemaker pair (network namespaces, the generated configuration
 * of PostgreSQL on the shared volume and mac-pool, each behind its VIP), where fencing is real: a
 * power switch (ha-cluster.sh power-switch) kills the node fence_dummy powers off and boots it on
 * power on. A hung mac-pool (SIGSTOP) is found by the monitor and recovered within the bound the
 * configuration implies; a partition of the controllers' link ends with the loser of the fence
 * race dead and everything on the winner, never two instances at once, nothing acknowledged lost.
 * The controllers run mac-pool's release tarball, installed by its install.sh on each node.
 */
peer('faults on a real two-node cluster: a hung service, a partition between the controllers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-faults-'));
  const run = join(dir, 'cluster');
  chmodSync(dir, 0o755);
  let powerSwitch: ChildProcess | undefined;
  const children: ChildProcess[] = [];
  let config: ReturnType<typeof summarizeCib>;
  let release: InstalledRelease;

  beforeAll(() => {
    cluster('up', run);
    release = buildAndInstallRelease(dir, run, ['mac-pool']);
    powerSwitch = spawn(CLUSTER, ['power-switch', run], { stdio: 'ignore' });
    const pgbin = cluster('pgbin').trim();
    writeFileSync(
      join(dir, 'mac-pool.env'),
      `DATABASE_URL=${PG}\nHOST=0.0.0.0\nPORT=8080\nMACPOOL_ADMIN_TOKEN=${TOKEN}\nMACPOOL_DATA_DIR=${dir}/data\nLOG_LEVEL=warn\n`,
      { mode: 0o644 },
    );
    // fence_dummy reboots by writing "off", waiting power_wait, writing "on" to the node's own
    // status file; the power switch turns that into a real death and boot.
    writeFileSync(
      join(dir, 'cluster.yaml'),
      `name: hafaults
nodes: [ctrl1, ctrl2]
fencing:
  agent: "stonith:fence_dummy"
  params: { type: file, power_wait: "2" }
  perNode:
    ${FAVOURED}: { status_file: ${run}/power-${FAVOURED}, pcmk_delay_base: "${FENCE_DELAY_SECONDS}s" }
    ${LOSER}: { status_file: ${run}/power-${LOSER} }
network: { nic: eth0, cidrNetmask: 24 }
sharedStorage: { device: ${run}/shared-volume, directory: ${run}/shared, fstype: none, options: bind }
services:
  - name: postgresql
    agent: "ocf:heartbeat:pgsql"
    vip: ${PG_VIP}
    sharedStorage: true
    timeouts: { start: 120, stop: 120, monitor: 30 }
    params: ${postgresqlParams(run, pgbin, PG_VIP)}
  - name: mac-pool
    agent: "ocf:infn:mac-pool"
    vip: ${MAC_VIP}
    after: [postgresql]
    deepMonitorSeconds: 30
    params: { entry: ${MAC_POOL_ENTRY}, env_file: ${dir}/mac-pool.env, log_file: ${dir}/mac-pool.log, health_url: "http://127.0.0.1:8080/health/ready", monitor_token: ${TOKEN} }
`,
    );
    execFileSync(process.execPath, [
      join(ROOT, 'dist/apps/ha-cli/src/main.js'),
      'render',
      join(dir, 'cluster.yaml'),
      '--out',
      join(dir, 'rendered'),
    ]);
    const cib = readFileSync(join(dir, 'rendered/cib.xml'), 'utf8');
    config = summarizeCib(cib);
    writeFileSync(join(dir, 'configuration.xml'), /<configuration>[^]*<\/configuration>/.exec(cib)![0]);
    cluster('load', run, join(dir, 'configuration.xml'));
    // Everything on the node that will lose the fence race, so the partition forces a failover.
    for (const group of ['g-postgresql', 'g-mac-pool']) {
      if (locate(group)[0] === LOSER) continue;
      cluster('on', FAVOURED, 'crm_resource', '--move', '-r', group, '-N', LOSER);
      cluster('on', FAVOURED, 'crm_resource', '--wait', '--timeout', '120');
      cluster('on', FAVOURED, 'crm_resource', '--clear', '-r', group);
      cluster('on', FAVOURED, 'crm_resource', '--wait', '--timeout', '120');
    }
    expect([locate('g-postgresql'), locate('g-mac-pool')]).toEqual([[LOSER], [LOSER]]);
    const auth = `Authorization: Bearer ${TOKEN}`;
    const json = 'Content-Type: application/json';
    cluster('on', 'client', 'curl', '-sf', '-XPOST', `http://${MAC_VIP}:8080/v1/pools`, '-H', auth, '-H', json, '-d', '{"name":"faults"}');
    const upload = execFileSync(
      CLUSTER,
      [
        'on',
        'client',
        'curl',
        '-sf',
        '-XPOST',
        `http://${MAC_VIP}:8080/v1/pools/faults/macs`,
        '-H',
        auth,
        '-H',
        'Content-Type: text/plain',
        '--data-binary',
        '@-',
      ],
      { input: '02:98:00:00:00:00-02:98:00:00:ff:ff\n', encoding: 'utf8' },
    );
    expect(JSON.parse(upload).added).toBe(65536);
  }, 480_000);

  afterAll(() => {
    for (const child of [...children, powerSwitch]) if (child && child.exitCode === null) child.kill('SIGKILL');
    if (process.env.HA_KEEP) return;
    try {
      cluster('down', run);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Seconds of an operation of a resource in the generated configuration, e.g. ("svc-mac-pool", /^monitor interval=10s/). */
  function op(resource: string, match: RegExp, field: 'interval' | 'timeout'): number {
    const line = config.primitives[resource].ops.find((o) => match.test(o));
    return Number(new RegExp(`${field}=(\\d+)s`).exec(line ?? '')?.[1]);
  }

  const pacemakerLog = (node: string) => readFileSync(join(run, node, 'log/pacemaker.log'), 'utf8').split('\n');

  /** When the first line matching `re` was written after `since` (ms), or NaN. */
  function logged(node: string, re: RegExp, since: number): number {
    for (const line of pacemakerLog(node)) {
      const at = logTime(line, since);
      if (at >= since && re.test(line)) return at;
    }
    return NaN;
  }

  /** The node's TCP connections to PostgreSQL's VIP: local port → owner's PID (in that node's PID namespace). */
  const dbConnectionOwners = (node: string) =>
    new Map(
      cluster('on', node, 'ss', '-Htnp', 'state', 'established', 'dst', `${PG_VIP}:5432`)
        .split('\n')
        .map((l) => [/:(\d+)\s+\S+:5432\b/.exec(l)?.[1], /pid=(\d+)/.exec(l)?.[1]])
        .filter((e): e is [string, string] => !!e[0] && !!e[1]),
    );

  it("each controller holds its own install of the mac-pool tarball: /opt/mac-pool/current and the OCF agent Pacemaker resolves are the tarball's", () => {
    console.log(
      `release: ${release.tarballs['mac-pool']} built in ${release.buildSeconds.toFixed(1)} s, installed on both nodes in ${release.installSeconds.toFixed(1)} s`,
    );
    expect(release.installed).toEqual(expectedInstalls(['mac-pool']));
  });

  it('a hung mac-pool (SIGSTOP) is detected by the monitor and restarted within the bound the configuration implies, and lets go of its port and database connections', async () => {
    const node = locate('svc-mac-pool')[0];
    // What the configuration implies: the hang is caught by the first monitor after it, which
    // starts at most one interval later and fails when the agent's check times out (Pacemaker's
    // monitor timeout caps it, should the agent itself be slow); recovery (stop, start) must fit
    // in a second interval.
    const interval = op('svc-mac-pool', /^monitor interval=\d+s timeout=\d+s$/, 'interval');
    const monitorTimeout = op('svc-mac-pool', /^monitor interval=\d+s timeout=\d+s$/, 'timeout');
    // The agent's check timeout: the resource's parameter, else the default of the agent installed on the node.
    const checkTimeout = Number(
      config.primitives['svc-mac-pool'].params.check_timeout ??
        /OCF_RESKEY_check_timeout_default="(\d+)"/.exec(
          readFileSync(join(run, node, 'root/usr/lib/ocf/resource.d/infn/nodejs-service.sh'), 'utf8'),
        )![1],
    );
    expect([interval, monitorTimeout, checkTimeout].every((v) => Number.isInteger(v) && v > 0)).toBe(true);
    const detectionBound = (interval + monitorTimeout) * 1000;
    const recoveryBound = (2 * interval + monitorTimeout) * 1000;

    const oldPid = cluster('on', node, 'cat', MAC_POOL_PID_FILE).trim();
    expect(cluster('on', node, 'cat', `/proc/${oldPid}/cmdline`)).toContain(MAC_POOL_ENTRY);
    expect([...dbConnectionOwners(node).values()]).toContain(oldPid); // it does hold connections to let go of
    // From the client, through the VIP: when did it stop and start answering again.
    const health = spawn(
      CLUSTER,
      ['on', 'client', process.execPath, join(__dirname, 'health-watch.mjs'), `http://${MAC_VIP}:8080/health/ready`, '150'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(health);
    let watch = '';
    health.stdout!.on('data', (d: Buffer) => (watch += d.toString()));
    await sleep(1500);

    const stoppedAt = Date.now();
    cluster('on', node, 'kill', '-STOP', oldPid);
    let startedAt = NaN;
    for (let i = 0; i < 300 && Number.isNaN(startedAt); i++) {
      await sleep(500);
      startedAt = logged(node, /Result of start operation for svc-mac-pool on \S+: ok/, stoppedAt);
    }
    const detectedAt = logged(node, /Result of monitor operation for svc-mac-pool on \S+: (?!ok|Cancelled)/, stoppedAt);
    const stopAt = logged(node, /Result of stop operation for svc-mac-pool on \S+: ok/, stoppedAt);
    await sleep(1500); // the watcher's next poll, if it is back
    health.kill('SIGKILL');
    await once(health, 'exit');
    const events = watch
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    const downAt = Number(events.find(([e, at]) => e === 'down' && Number(at) >= stoppedAt)?.[1]);
    const upAt = Number(events.find(([e, at]) => e === 'up' && Number(at) > downAt)?.[1]);
    const seen = { downAt: Number.isNaN(downAt) ? null : downAt, upAt: Number.isNaN(upAt) ? null : upAt };
    const s = (t: number) => `${((t - stoppedAt) / 1000).toFixed(1)} s`;
    console.log(
      `SIGSTOP of mac-pool (pid ${oldPid} on ${node}): monitor failed after ${s(detectedAt)} (at most interval ${interval} s + the agent's check timeout ${checkTimeout} s when not starved; ` +
        `bound interval + monitor timeout ${monitorTimeout} s = ${detectionBound / 1000} s), stopped ${s(stopAt)}, started again ${s(startedAt)} (bound 2 intervals + monitor timeout = ${recoveryBound / 1000} s); through the VIP: no answer from ${seen.downAt ? s(seen.downAt) : '-'}, 200 again ${seen.upAt ? s(seen.upAt) : '-'}`,
    );
    expect(detectedAt - stoppedAt).toBeLessThanOrEqual(detectionBound);
    expect(startedAt - stoppedAt).toBeLessThanOrEqual(recoveryBound);
    expect(seen.upAt).not.toBeNull();
    expect(seen.upAt! - stoppedAt).toBeLessThanOrEqual(recoveryBound + 1000);

    // Restarted in place (first failure, below migration-threshold); the hung process is gone.
    cluster('on', node, 'crm_resource', '--wait', '--timeout', '60');
    expect([locate('svc-mac-pool'), locate('vip-mac-pool')]).toEqual([[node], [node]]);
    const newPid = cluster('on', node, 'cat', MAC_POOL_PID_FILE).trim();
    expect(newPid).not.toBe(oldPid);
    expect(cluster('on', node, 'sh', '-c', `test -e /proc/${oldPid} && echo alive || echo gone`).trim()).toBe('gone');
    // The port behind the VIP and the database connections are the new process's only.
    const listeners = cluster('on', node, 'ss', '-Hltnp', 'sport', '=', ':8080')
      .split('\n')
      .map((l) => /pid=(\d+)/.exec(l)?.[1])
      .filter(Boolean);
    expect(listeners).toEqual([newPid]);
    expect(cluster('sample', MAC_POOL_PROC).trim().split('\n')).toHaveLength(1); // one mac-pool in the whole cluster
    // No advisory lock (migrations, reconciliation) outlives the hung process, and every session
    // PostgreSQL has for mac-pool is a socket of the new process: looked up in the node's sockets
    // just before and just after the query, as the pool opens and closes connections meanwhile.
    const sql = (q: string) => cluster('on', 'client', 'psql', PG, '-tA', '-c', q).trim();
    expect(sql(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'`)).toBe('0');
    const before = dbConnectionOwners(node);
    const sessions = sql(`SELECT client_port FROM pg_stat_activity WHERE application_name = 'mac-pool'`).split('\n').filter(Boolean);
    const after = dbConnectionOwners(node);
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.map((port) => [port, after.get(port) ?? before.get(port)])).toEqual(sessions.map((port) => [port, newPid]));

    cluster('on', node, 'crm_resource', '--cleanup', '-r', 'svc-mac-pool');
    cluster('on', node, 'crm_resource', '--wait', '--timeout', '60');
  }, 240_000);

  it('a partition between the controllers: fencing kills one, the other runs everything, never two at once; nothing acknowledged is lost; healed, one copy of each resource', async () => {
    expect([locate('g-postgresql'), locate('g-mac-pool')]).toEqual([[LOSER], [LOSER]]);
    const allocFile = join(dir, 'partition-alloc.json');
    const alloc = spawn(
      CLUSTER,
      [
        'on',
        'client',
        process.execPath,
        join(__dirname, 'alloc-driver.mjs'),
        `http://${MAC_VIP}:8080`,
        TOKEN,
        '45',
        allocFile,
        'split-port-',
      ],
      { stdio: 'inherit' },
    );
    children.push(alloc);
    const samples: Sample[] = [];
    // The postmaster is the one postgres process whose command line names the data dir.
    const POSTMASTER_PROC = `proc:postgres:${run}/shared/pgsql`;
    const dbSamples: DbSample[] = [];
    let sampling = true;
    const lines = (out: string) => out.split('\n').filter((l) => l && !/ Z$/.test(l));
    // Two loops: the database one waits out connection timeouts while PostgreSQL moves.
    const sampler = Promise.all([
      (async () => {
        while (sampling) {
          const found = lines(await clusterAsync('sample', MAC_POOL_PROC, POSTMASTER_PROC, `addr:${MAC_VIP}`, `addr:${PG_VIP}`));
          const of = (item: string) => found.filter((l) => l.startsWith(`${item} `)).map((l) => l.slice(item.length + 1));
          samples.push({
            at: Date.now(),
            macPool: of(MAC_POOL_PROC),
            postmasters: of(POSTMASTER_PROC),
            macVip: of(`addr:${MAC_VIP}`),
            pgVip: of(`addr:${PG_VIP}`),
          });
          await sleep(100);
        }
      })(),
      (async () => {
        const query = `SELECT DISTINCT client_addr FROM pg_stat_activity WHERE application_name = 'mac-pool'`;
        while (sampling) {
          const writers = await clusterAsync('on', 'client', 'psql', PG, '-tA', '-c', query).then(lines, () => null);
          if (writers) dbSamples.push({ at: Date.now(), writers });
          await sleep(200);
        }
      })(),
    ]);

    await sleep(5000);
    const cutAt = Date.now();
    await clusterAsync('partition');
    // Until the loser has been fenced and booted again, alone (still partitioned), and mac-pool
    // answers from the winner (90 s at most); then a while longer, to watch the lone rebooted
    // node start nothing.
    let backAt = NaN;
    while (Number.isNaN(backAt) && Date.now() < cutAt + 90_000) {
      await sleep(500);
      const log = existsSync(join(run, 'power.log')) ? readFileSync(join(run, 'power.log'), 'utf8') : '';
      if (!log.includes(`${LOSER} on`)) continue;
      if (logged(FAVOURED, /Result of start operation for svc-mac-pool on \S+: ok/, cutAt) > 0) backAt = Date.now();
    }
    let loneStatus = '';
    if (!Number.isNaN(backAt)) {
      // Its controller waits dc-deadtime (20 s) for a DC before it elects itself.
      for (let i = 0; i < 90 && !/partition with/i.test(loneStatus); i++) {
        await sleep(1000);
        loneStatus = await clusterAsync('on', LOSER, 'crm_mon', '-1');
      }
      await sleep(5000);
      loneStatus = await clusterAsync('on', LOSER, 'crm_mon', '-1');
    }
    const healAt = Date.now();
    await clusterAsync('heal');
    if (!Number.isNaN(backAt)) {
      await clusterAsync(
        'on',
        FAVOURED,
        'sh',
        '-c',
        'for i in $(seq 1 60); do crm_mon -1 | grep -q "Online: \\[ ctrl1 ctrl2 \\]" && exit 0; sleep 1; done; exit 1',
      );
      await clusterAsync('on', FAVOURED, 'crm_resource', '--wait', '--timeout', '120');
      await once(alloc, 'exit');
    }
    sampling = false;
    await sampler;

    const power = existsSync(join(run, 'power.log')) ? readFileSync(join(run, 'power.log'), 'utf8').trim().split('\n') : [];
    const powerAt = (what: string) => Number(power.find((l) => l.endsWith(what))?.split(' ')[0]);
    const t = (at: number) => `${((at - cutAt) / 1000).toFixed(1)} s`;
    const gaps = samples.slice(1).map((x, i) => x.at - samples[i].at);
    const sampleGap = Math.max(...gaps);
    const gapFrom = samples[gaps.indexOf(sampleGap)].at;
    const firstStart = logged(FAVOURED, /Requesting local execution of start operation for (vip|svc)-/, cutAt);
    console.log(
      `partition at 0 s: ${LOSER} powered off by fencing at ${t(powerAt(`${LOSER} off`))}, booted again at ${t(powerAt(`${LOSER} on`))}; ` +
        `on ${FAVOURED}: node lost ${t(logged(FAVOURED, / state is now lost/, cutAt))}, fenced ${t(logged(FAVOURED, /Operation 'reboot' targeting \S+ by \S+ .*: OK/, cutAt))}, ` +
        `postgresql started ${t(logged(FAVOURED, /Result of start operation for svc-postgresql on \S+: ok/, cutAt))}, mac-pool ${t(logged(FAVOURED, /Result of start operation for svc-mac-pool on \S+: ok/, cutAt))}; ` +
        `its shot at ${FAVOURED} ${pacemakerLog(LOSER).some((l) => logTime(l, cutAt) >= cutAt && new RegExp(`Delaying '\\w+' action targeting ${FAVOURED}`).test(l)) ? 'waiting out its delay' : 'not yet asked for'} when it died; ` +
        `winner's first start ${t(firstStart)}; healed at ${t(healAt)}; ${samples.length} samples of processes and addresses (at most ${(sampleGap / 1000).toFixed(1)} s apart, from ${t(gapFrom)}), ${dbSamples.length} of the database`,
    );

    // Never two instances: at every sample at most one node runs mac-pool, at most one PostgreSQL
    // runs on the shared volume, each VIP is up on at most one node, and PostgreSQL sees mac-pool
    // sessions from at most one address.
    const node = (l: string) => l.split(' ')[0];
    const twice = samples.filter(
      (x) => new Set(x.macPool.map(node)).size > 1 || x.postmasters.length > 1 || x.macVip.length > 1 || x.pgVip.length > 1,
    );
    // Shown compactly, the first few: when, and who held what.
    const show = (x: Sample) =>
      `${t(x.at)}: mac-pool [${x.macPool.join('; ')}] postmaster [${x.postmasters.join('; ')}] ${MAC_VIP} [${x.macVip.join(' ')}] ${PG_VIP} [${x.pgVip.join(' ')}]`;
    expect({ count: twice.length, first: twice.slice(0, 5).map(show) }).toEqual({ count: 0, first: [] });
    expect(dbSamples.filter((x) => x.writers.length > 1).map((x) => `${t(x.at)}: ${x.writers.join(' ')}`)).toEqual([]);
    // Fencing decided: the loser was powered off exactly once and the winner never (if the loser
    // got as far as shooting back, its shot waited out the delay on the winner's device).
    expect(power.filter((l) => / off$/.test(l)).map((l) => l.split(' ')[1])).toEqual([LOSER]);
    expect(backAt).toBeGreaterThan(0);
    // The winner started nothing before the loser was dead: powering a node off ends all its
    // processes and takes its link down at once, so no instant had two (whatever the sampling rate).
    expect(firstStart).toBeGreaterThan(powerAt(`${LOSER} off`));
    // Booted alone, still cut off from the winner, the loser has no quorum and starts nothing.
    expect(loneStatus).toMatch(/partition WITHOUT quorum/);
    expect(loneStatus).not.toMatch(/Started/);
    // The samples saw what they had to: the loser running everything, then the winner, and
    // mac-pool's sessions in PostgreSQL before the cut and after the winner took over.
    const holders = samples.map((x) => x.macPool.map(node).join(','));
    expect([holders[0], holders[holders.length - 1]]).toEqual([LOSER, FAVOURED]);
    expect(samples.filter((x) => x.at > cutAt).length).toBeGreaterThan(20);
    expect([
      dbSamples.some((x) => x.at < cutAt && x.writers.length === 1),
      dbSamples.some((x) => x.at > firstStart && x.writers.length === 1),
    ]).toEqual([true, true]);

    const result = JSON.parse(readFileSync(allocFile, 'utf8')) as AllocResult;
    expect(result.gaveUp).toBe(false);
    console.log(
      `partition: ${Object.keys(result.acked).length} allocations acknowledged through the VIP, longest wait ${(result.maxGapMs / 1000).toFixed(1)} s, ${result.retries} retries`,
    );
    // Nothing acknowledged is lost, no MAC twice, retries idempotent.
    expect(result.mismatches).toBe(0);
    expect(Object.keys(result.acked).length).toBeGreaterThan(0);
    const rows = cluster(
      'on',
      'client',
      'psql',
      PG,
      '-tA',
      '-F',
      ' ',
      '-c',
      "SELECT port_id, mac::text FROM macs WHERE port_id LIKE 'split-port-%'",
    )
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    expect(new Set(rows.map(([, mac]) => mac)).size).toBe(rows.length);
    const inDb = new Map(rows.map(([port, mac]) => [port, mac]));
    for (const [port, mac] of Object.entries(result.acked)) expect([port, inDb.get(port)]).toEqual([port, mac]);

    // Healed: both nodes online, one copy of each resource, on the winner (stickiness), no failure,
    // and Pacemaker never found a resource active on both nodes.
    const status = cluster('on', FAVOURED, 'crm_mon', '-1');
    expect(status).toContain('Online: [ ctrl1 ctrl2 ]');
    expect(status).not.toContain('Failed Resource Actions');
    const resources = ['vip-postgresql', 'svc-postgresql', 'vip-mac-pool', 'svc-mac-pool'];
    expect(resources.map(locate)).toEqual(resources.map(() => [FAVOURED]));
    const last = samples[samples.length - 1];
    expect([last.macPool.map(node), last.postmasters.map(node), last.macVip, last.pgVip]).toEqual([
      [FAVOURED],
      [FAVOURED],
      [FAVOURED],
      [FAVOURED],
    ]);
    for (const n of [FAVOURED, LOSER]) expect([n, pacemakerLog(n).filter((l) => /active on 2 nodes/.test(l))]).toEqual([n, []]);
  }, 360_000);
});

/** When a pacemaker.log line was written (its stamp has no year: that of `near`); NaN if none. */
function logTime(line: string, near: number): number {
  const stamp = /^(\w{3}) (\d+) ([\d:.]+) /.exec(line);
  return stamp ? new Date(`${stamp[1]} ${stamp[2]} ${new Date(near).getFullYear()} ${stamp[3]}`).getTime() : NaN;
}
