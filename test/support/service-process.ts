import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort } from './free-port';

export const MAC_POOL_MAIN = join(__dirname, '../../dist/apps/mac-pool/src/main.js');

export { freePort };

export interface ServiceProcess {
  proc: ChildProcess;
  url: string;
  output(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Whether the process with this PID owns the listening socket on the port (ss from iproute2). */
function listensOn(pid: number | undefined, port: string): boolean {
  const out = spawnSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' }).stdout;
  return pid !== undefined && out.includes(`pid=${pid},`);
}

/**
 * The built service as a real process (what `npm start` and the OCF agent run). A free port can
 * be taken by another test worker between choosing it and binding it: when the process answering
 * is not ours, start again on another port.
 */
export async function spawnService(
  env: Record<string, string>,
  options: { waitReady?: boolean; main?: string } = {},
): Promise<ServiceProcess> {
  for (let attempt = 1; ; attempt++) {
    let handle: ServiceProcess;
    try {
      handle = await spawnOnce(env, options);
    } catch (err) {
      if (env.PORT || attempt === 3 || !String(err).includes('EADDRINUSE')) throw err;
      continue;
    }
    if (options.waitReady === false || env.PORT || listensOn(handle.proc.pid, new URL(handle.url).port)) return handle;
    await handle.stop('SIGTERM');
    if (attempt === 3) throw new Error(`another process kept answering on the chosen ports:\n${handle.output()}`);
  }
}

async function spawnOnce(env: Record<string, string>, { waitReady = true, main = MAC_POOL_MAIN } = {}): Promise<ServiceProcess> {
  const port = env.PORT || String(await freePort());
  const proc = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'info', ...env, PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const handle: ServiceProcess = {
    proc,
    url,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode; // exited, or killed by a signal
      const exited = once(proc, 'exit');
      proc.kill(signal);
      const [code] = await exited;
      return code as number | null;
    },
  };
  if (waitReady) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`service exited with ${proc.exitCode} before ready:\n${out}`);
      try {
        if ((await fetch(`${url}/health/ready`)).status === 200) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        await handle.stop('SIGKILL');
        throw new Error(`service not ready in 60 s:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return handle;
}

export async function waitForExit(proc: ChildProcess, ms: number): Promise<number | null> {
  if (proc.exitCode !== null) return proc.exitCode;
  const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit within ${ms} ms`)), ms));
  const [code] = (await Promise.race([once(proc, 'exit'), timer])) as [number | null];
  return code;
}
