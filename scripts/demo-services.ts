import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';

/** A built service (dist/apps/NAME/src/main.js) running as a child process of the demo. */
export interface ServiceChild {
  name: string;
  url: string;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or the signal's name) when the process ends, whoever ends it. */
  exited: Promise<number | string>;
  /** Whether the process still runs (its group may still hold what it started). */
  running(): boolean;
  /** SIGTERM (the service drains and stops its PostgreSQL), SIGKILL to its group after `graceMs`. */
  stop(graceMs: number): Promise<void>;
  /** The end of its log, for an error message. */
  logTail(lines?: number): string;
  /** Resolves when /health/ready answers 200; rejects (with the log's end) if it exits or takes too long. */
  ready(timeoutMs: number): Promise<void>;
}

/**
 * Starts `main` with `env` (wait for it with ready()). The child gets its own
 * process group: a Ctrl-C in the terminal reaches the demo only, which then stops the services
 * before the peers they use, and nothing of the group (its embedded PostgreSQL) outlives it.
 */
export function spawnService(o: { name: string; main: string; port: number; env: Record<string, string>; logFile: string }): ServiceChild {
  if (!existsSync(o.main)) throw new Error(`${o.main} is missing: run \`npm run build\` first (npm run demo does)`);
  const log = createWriteStream(o.logFile, { flags: 'a' });
  const child: ChildProcess = spawn(process.execPath, [o.main], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      ...o.env,
      HOST: '127.0.0.1',
      PORT: String(o.port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  child.once('close', () => log.end());
  const exited = new Promise<number | string>((done) => child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')));
  const pid = child.pid!;
  const url = `http://127.0.0.1:${o.port}`;
  const logTail = (lines = 30) => {
    const text = existsSync(o.logFile) ? readFileSync(o.logFile, 'utf8') : '';
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  };
  const running = () => child.exitCode === null && child.signalCode === null;
  const ready = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!running()) throw new Error(`${o.name} exited before it was ready; the end of its log (${o.logFile}):\n${logTail()}`);
      try {
        if ((await fetch(`${url}/health/ready`)).status === 200) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        throw new Error(`${o.name} was not ready within ${timeoutMs / 1000} s; the end of its log (${o.logFile}):\n${logTail()}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const service: ServiceChild = {
    name: o.name,
    url,
    pid,
    logFile: o.logFile,
    exited,
    running,
    logTail,
    ready,
    async stop(graceMs) {
      if (!running()) return killGroup(pid);
      child.kill('SIGTERM');
      const timer = new Promise((r) => setTimeout(r, graceMs).unref());
      await Promise.race([exited, timer]);
      killGroup(pid);
      await exited;
    },
  };
  return service;
}

/** Whatever is left in the service's process group (nothing, after a clean stop). */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* the group is empty */
  }
}

/** Last resort when the demo itself is exiting on an error: no child may outlive it. */
export function killAllNow(services: ServiceChild[]): void {
  for (const s of services) if (s.running()) killGroup(s.pid);
}
