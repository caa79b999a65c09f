import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A peer the demo runs with the project's own script under test/peers/ (a Debian package). */
export interface PeerScript {
  /** What the user reads ("Keystone"). */
  name: string;
  /** The script in test/peers/. */
  script: string;
  /** Files the package installs: all present means installed. */
  installed: string[];
  /** Where, in its dir, the script keeps the PID of what it launched (its `stop` reads it too). */
  pidFile: string;
}

export const KEYSTONE: PeerScript = {
  name: 'Keystone',
  script: 'keystone.sh',
  installed: ['/usr/bin/keystone-manage', '/usr/bin/uwsgi'],
  pidFile: 'uwsgi.launcher.pid',
};
export const SIMPLESAMLPHP: PeerScript = {
  name: 'SimpleSAMLphp',
  script: 'simplesamlphp.sh',
  installed: ['/usr/share/simplesamlphp/www', '/usr/bin/php'],
  pidFile: 'php.pid',
};

export class PeerError extends Error {}

/**
 * Installs the peer's package when it is missing, with the script's `install` (apt-get). Not root:
 * a clear error with the one command to run, since apt-get would only fail later less clearly.
 */
export async function ensureInstalled(root: string, peer: PeerScript, progress: (line: string) => void): Promise<void> {
  if (peer.installed.every((p) => existsSync(p))) return;
  const command = `test/peers/${peer.script} install`;
  if (process.getuid?.() !== 0) {
    throw new PeerError(
      `${peer.name} is not installed, and installing it needs root: run \`sudo ${command}\` once, then start the demo again`,
    );
  }
  progress(`${peer.name} is not installed: running ${command} (apt-get; a few minutes)`);
  const code = await new Promise<number | null>((done) => {
    const child = spawn('bash', [join(root, 'test/peers', peer.script), 'install'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', () => done(-1));
    child.once('exit', (c) => done(c));
  });
  if (code !== 0 || !peer.installed.every((p) => existsSync(p))) {
    throw new PeerError(`${peer.name} could not be installed (\`${command}\` exited with ${code}); its output is above`);
  }
}

/** A peer started by its script in `dir`; stop() runs the script's `stop`, which ends only what it started. */
export interface RunningPeer {
  name: string;
  dir: string;
  /** Whether what the script launched still runs. */
  alive(): boolean;
  stop(): Promise<void>;
}

/**
 * Runs `test/peers/SCRIPT start DIR` with `env` (the script reads its port and settings from there).
 * The script runs in its own process group so that an abort (Ctrl-C while Keystone bootstraps) ends
 * it with whatever it is running; what it already launched in the background, `stop DIR` ends.
 */
export async function startPeerScript(
  root: string,
  peer: PeerScript,
  dir: string,
  env: Record<string, string>,
  o: { timeoutMs: number; signal: AbortSignal },
): Promise<RunningPeer> {
  const path = join(root, 'test/peers', peer.script);
  await mkdir(dir, { recursive: true });
  const stop = () => stopPeerScript(root, peer, dir);
  const child = spawn('bash', [path, 'start', dir], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const killScript = () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  const timer = setTimeout(killScript, o.timeoutMs);
  o.signal.addEventListener('abort', killScript, { once: true });
  const code = await new Promise<number | string>((done) => {
    child.once('error', (err) => done(err.message));
    child.once('exit', (c, s) => done(c ?? s ?? 'unknown'));
  });
  clearTimeout(timer);
  o.signal.removeEventListener('abort', killScript);
  if (code !== 0) {
    await stop().catch(() => undefined);
    if (o.signal.aborted) throw new PeerError(`${peer.name}: start interrupted`);
    const why = stderr.trim() || `the script ended with ${code}`;
    throw new PeerError(`${peer.name} did not start within ${o.timeoutMs / 1000} s or failed:\n${why}`);
  }
  const alive = () => {
    try {
      process.kill(Number(readFileSync(join(dir, peer.pidFile), 'utf8').trim()), 0);
      return true;
    } catch {
      return false; // no pid file, or no such process
    }
  };
  return { name: peer.name, dir, alive, stop };
}

/** Runs `test/peers/SCRIPT stop DIR`: ends what `start DIR` launched, and nothing else (a no-op if nothing). */
export async function stopPeerScript(root: string, peer: PeerScript, dir: string): Promise<void> {
  await run('bash', [join(root, 'test/peers', peer.script), 'stop', dir]);
}
