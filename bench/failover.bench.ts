import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Figure } from './figures';
import { fmt, percentile } from './harness';

// dist-tools/bench/failover.bench.js: the repository is two levels up.
const ROOT = join(__dirname, '../..');
const CLUSTER_BINARIES = ['/usr/sbin/corosync', '/usr/sbin/pacemakerd', '/usr/sbin/fence_dummy', '/usr/bin/psql'];

interface FailoverRun {
  backSeconds: number;
  steps: Record<string, number>;
}

/**
 * Failover to the first allocation through the VIP, PostgreSQL in the chain, `runs` times: each
 * run is the failover suite's own case on a real two-node Corosync/Pacemaker cluster (build and
 * install a release, start the cluster, allocate through mac-pool's VIP, kill the active node),
 * which reports how long allocations stopped and when Pacemaker saw each step. Target: the p95 of
 * five runs under 10 s. Baseline: when the survivor's Corosync declared the other node lost, the
 * part at Corosync's default timeouts that no service can shorten. About 2.5 minutes a run.
 */
export async function benchFailover(runs: number): Promise<Figure[]> {
  const missing = CLUSTER_BINARIES.filter((b) => !existsSync(b));
  if (missing.length) {
    console.log(`SKIPPED: failover needs the cluster packages (missing ${missing.join(', ')}): bash test/peers/ha-cluster.sh install`);
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-failover-'));
  const resultFile = join(dir, 'runs.jsonl');
  try {
    for (let i = 1; i <= runs; i++) {
      const jest = spawnSync('npx', ['jest', 'test/ha/cluster', '-t', 'mac-pool: keeps'], {
        cwd: ROOT,
        env: { ...process.env, CI: 'true', HA_FAILOVER_RESULT: resultFile },
        encoding: 'utf8',
      });
      const out = `${jest.stdout}${jest.stderr}`;
      if (jest.status !== 0) throw new Error(`failover run ${i} failed:\n${out.slice(-4000)}`);
      const reported = readRuns(resultFile);
      const last = reported.at(-1);
      if (reported.length !== i || !last) throw new Error(`failover run ${i} reported nothing:\n${out.slice(-4000)}`);
      const steps = Object.entries(last.steps).map(([event, s]) => `${event} ${fmt(s)} s`);
      console.log(`run ${i}: mac-pool back through its VIP after ${fmt(last.backSeconds)} s (Pacemaker: ${steps.join(', ')})`);
    }
    const done = readRuns(resultFile);
    const back = done.map((r) => r.backSeconds).sort((a, b) => a - b);
    const lost = done.map((r) => r.steps['node lost']).sort((a, b) => a - b);
    const p95 = percentile(back, 95);
    const lostP95 = percentile(lost, 95);
    console.log(
      `${runs} failovers: back after p50 ${fmt(percentile(back, 50))} s, p95 ${fmt(p95)} s (target < 10 s); ` +
        `node declared lost by Corosync at p95 ${fmt(lostP95)} s (its default timeouts); the rest, p95 ${fmt(p95 - lostP95)} s, is fencing, PostgreSQL and mac-pool`,
    );
    return [{ name: 'failover.p95_seconds', value: p95, baseline: lostP95, unit: 's', target: '< 10' }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readRuns(file: string): FailoverRun[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as FailoverRun);
}
