import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './service-process';

const run = promisify(execFile);

/**
 * Whether a real peer (a Debian package) can run here. Absent: the suite is skipped with a loud
 * line, except under CI (CI=true), where a skipped peer suite is a failure.
 */
export function peerAvailable(suite: string, peer: string, paths: string[], script: string): boolean {
  if (paths.every((p) => existsSync(p))) return true;
  const why = `${suite}: SKIPPED, ${peer} is not installed (run test/peers/${script} install)`;
  if (process.env.CI === 'true') throw new Error(`${why}; under CI a skipped peer suite is a failure`);
  console.warn(`\n!!! ${why} !!!\n`);
  return false;
}

export interface StartedPeer {
  dir: string;
  port: number;
  stop(): Promise<void>;
}

/** Runs `test/peers/SCRIPT start DIR` in a fresh temp dir on a free port (passed as portVar). */
export async function startPeer(script: string, portVar: string, env: Record<string, string>, timeoutMs: number): Promise<StartedPeer> {
  const path = join(__dirname, '../peers', script);
  const dir = await mkdtemp(join(tmpdir(), `${script.replace('.sh', '')}-peer-`));
  let port = 0;
  // A free port can be taken by another test worker before the peer binds it: try another one.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await run(path, ['start', dir], { env: { ...process.env, ...env, [portVar]: String(port) }, timeout: timeoutMs });
      break;
    } catch (err) {
      await run(path, ['stop', dir]).catch(() => undefined);
      if (attempt === 2) throw new Error(`${script} did not start: ${(err as { stderr?: string }).stderr ?? err}`);
    }
  }
  return {
    dir,
    port,
    async stop() {
      await run(path, ['stop', dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
