import { ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres } from '../libs/platform/src/database/embedded-postgres';
import { freePort } from '../test/support/free-port';

export const TOKEN = 'bench-admin-token-0123456789';

export { freePort };

/** A PostgreSQL for the run: DATABASE_URL if set, else an embedded one (durable settings). */
export async function startDatabase(): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  if (process.env.DATABASE_URL) return { adminUrl: process.env.DATABASE_URL, stop: async () => undefined };
  const dir = await mkdtemp(join(tmpdir(), 'macpool-bench-pg-'));
  await chmod(dir, 0o755);
  const pg = new EmbeddedPostgres({ dataDir: dir, port: await freePort() });
  const adminUrl = await pg.start();
  return {
    adminUrl,
    async stop() {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface Service {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** The built mac-pool as its own process, as in production. */
export async function startService(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<Service> {
  const port = await freePort();
  const proc: ChildProcess = spawn(
    process.execPath,
    [...(process.env.BENCH_SERVICE_NODE_ARGS?.split(' ').filter(Boolean) ?? []), join(__dirname, '../../dist/apps/mac-pool/src/main.js')],
    {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        MACPOOL_ADMIN_TOKEN: TOKEN,
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
        DB_POOL_SIZE: '40',
        ...extraEnv,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60000; ;) {
    if (proc.exitCode !== null) throw new Error('service exited during start');
    if (Date.now() > deadline) throw new Error('service not ready in 60 s');
    if ((await fetch(`${url}/health/ready`).catch(() => null))?.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: proc.pid!,
    async stop() {
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** A floor server of the benchmarks (http-floor.js, hook-floor.js) as its own process, on a free port. */
export async function startFloor(script: string, args: (port: number) => string[]): Promise<Service> {
  const port = await freePort();
  const proc = fork(join(__dirname, script), args(port), { stdio: 'inherit' });
  await once(proc, 'message');
  return {
    url: `http://127.0.0.1:${port}`,
    pid: proc.pid!,
    async stop() {
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

export async function api(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': contentType },
    body: body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  } as RequestInit);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `total` operations with `concurrency` workers; returns ops/s and latency percentiles (ms). */
export async function load(total: number, concurrency: number, op: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    opsPerSecond: total / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    mean: latencies.reduce((a, b) => a + b, 0) / latencies.length,
  };
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);

export function macLines(count: number, prefix = 0x02): string[] {
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const hex = (prefix * 2 ** 40 + i).toString(16).padStart(12, '0');
    out[i] = `${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}:${hex.slice(8, 10)}:${hex.slice(10, 12)}`;
  }
  return out;
}

// node:http with keep-alive, not fetch: the load generator shares the 2 cores with the service
// and PostgreSQL, and undici's fetch costs about twice the CPU per request.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export function reserveOverHttp(base: string, token: string, portId: string): Promise<number> {
  const body = JSON.stringify({
    portId,
    deviceId: `vm-${portId}`,
    deviceOwner: 'compute:nova',
    projectId: 'project',
    networkId: 'network',
  });
  return new Promise((resolve, reject) => {
    const req = request(`${base}/v1/allocations`, {
      method: 'POST',
      agent,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc; 0 once it is gone. */
function processCpuSeconds(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The PostgreSQL server of a local database: its postmaster and every process it started. */
async function postgresPids(databaseUrl: string): Promise<number[] | null> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  const [{ pid }] = (await c.query('SELECT pg_backend_pid() AS pid')).rows as Array<{ pid: number }>;
  const parentOf = (p: number) => {
    try {
      return Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'))![1]);
    } catch {
      return NaN;
    }
  };
  const postmaster = parentOf(pid); // while the backend still lives
  await c.end();
  if (Number.isNaN(postmaster)) return null; // not on this machine
  const children = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => parentOf(p) === postmaster);
  return [postmaster, ...children];
}

/**
 * Where the CPU of a phase went: the service, PostgreSQL (when local; backends that come and go
 * during the phase are missed, the bench's pools keep theirs), and this process (the load
 * generator), in CPU milliseconds per operation.
 */
export async function cpuMeter(databaseUrl: string, servicePid?: number) {
  const pg = await postgresPids(databaseUrl);
  const postgresStart = new Map((pg ?? []).map((p) => [p, processCpuSeconds(p)]));
  // A backend that ended during the phase (another pool's idle connection) took its count with it:
  // only those alive at both ends are summed.
  const postgresUsed = () =>
    pg ? [...postgresStart].reduce((sum, [p, start]) => sum + Math.max(0, (processCpuSeconds(p) || start) - start), 0) : NaN;
  const serviceStart = servicePid ? processCpuSeconds(servicePid) : 0;
  const clientSeconds = () => (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
  const clientStart = clientSeconds();
  return (operations: number) => {
    const perOp = (seconds: number) => (seconds * 1000) / operations;
    return {
      service: servicePid ? perOp(processCpuSeconds(servicePid) - serviceStart) : 0,
      postgres: perOp(postgresUsed()),
      client: perOp(clientSeconds() - clientStart),
    };
  };
}
