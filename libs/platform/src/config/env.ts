/**
 * Configuration from the environment, validated once at start. Pure: takes an env object,
 * returns typed values or throws ConfigError naming every bad variable, so the process can
 * refuse to start with one clear message.
 */
export interface EnvVar<T> {
  description: string;
  /** Shown in --help and the README; undefined means "required" unless optional. */
  default?: T;
  optional?: boolean;
  secret?: boolean;
  parse(raw: string): T;
}

export type EnvSpec = Record<string, EnvVar<unknown>>;
export type EnvValues<S extends EnvSpec> = {
  [K in keyof S]: S[K] extends EnvVar<infer T> ? (S[K]['optional'] extends true ? T | undefined : T) : never;
};

/**
 * An injection token for a service's validated configuration. Use the same name for the token
 * and the values' type, then inject with `@Inject(MacPoolConfig) config: MacPoolConfig`.
 */
export const configToken = (name: string): symbol => Symbol(name);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadEnv<S extends EnvSpec>(spec: S, env: Record<string, string | undefined>): EnvValues<S> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, v] of Object.entries(spec)) {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      if (v.default !== undefined) values[name] = v.default;
      else if (v.optional) values[name] = undefined;
      else problems.push(`${name} is required: ${v.description}`);
      continue;
    }
    try {
      values[name] = v.parse(raw);
    } catch (err) {
      const shown = v.secret ? '(secret, not shown)' : JSON.stringify(raw);
      problems.push(`${name}=${shown}: ${(err as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return values as EnvValues<S>;
}

/** A table of the variables, for --help output and the README. */
export function describeEnv(spec: EnvSpec): string {
  return Object.entries(spec)
    .map(([name, v]) => {
      const dflt = v.default !== undefined ? `default ${JSON.stringify(v.default)}` : v.optional ? 'optional' : 'required';
      return `  ${name.padEnd(34)} ${v.description} (${dflt})`;
    })
    .join('\n');
}

// Parsers: each throws an Error whose message says what was expected.
export const str = (o: Omit<EnvVar<string>, 'parse'> & { minLength?: number }): EnvVar<string> => ({
  ...o,
  parse(raw) {
    if (o.minLength && raw.length < o.minLength) throw new Error(`must be at least ${o.minLength} characters`);
    return raw;
  },
});

export const int = (o: Omit<EnvVar<number>, 'parse'> & { min?: number; max?: number }): EnvVar<number> => ({
  ...o,
  parse(raw) {
    if (!/^-?\d+$/.test(raw.trim())) throw new Error('must be an integer');
    const n = Number(raw);
    if (o.min !== undefined && n < o.min) throw new Error(`must be >= ${o.min}`);
    if (o.max !== undefined && n > o.max) throw new Error(`must be <= ${o.max}`);
    return n;
  },
});

export const port = (o: Omit<EnvVar<number>, 'parse'>) => int({ ...o, min: 1, max: 65535 });

export const bool = (o: Omit<EnvVar<boolean>, 'parse'>): EnvVar<boolean> => ({
  ...o,
  parse(raw) {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new Error('must be true or false');
  },
});

export const oneOf = <T extends string>(choices: readonly T[], o: Omit<EnvVar<T>, 'parse'>): EnvVar<T> => ({
  ...o,
  parse(raw) {
    if (!(choices as readonly string[]).includes(raw)) throw new Error(`must be one of ${choices.join(', ')}`);
    return raw as T;
  },
});

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** A byte size like 512kb, 64mb, 1gb (binary units), as a number of bytes. */
export const byteSize = (o: Omit<EnvVar<number>, 'parse'>): EnvVar<number> => ({
  ...o,
  parse(raw) {
    const m = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(raw.trim());
    if (!m) throw new Error('must be a size like 512kb, 64mb or 1gb');
    return Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()];
  },
});

export const postgresUrl = (o: Omit<EnvVar<string>, 'parse'>): EnvVar<string> => ({
  ...o,
  parse(raw) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error('must be a URL like postgres://user:password@host:5432/dbname');
    }
    if (!['postgres:', 'postgresql:'].includes(url.protocol)) throw new Error('must start with postgres:// or postgresql://');
    return raw;
  },
});

/** The variables every service shares; each app adds its own. */
export const commonEnv = {
  HOST: str({ description: 'address to listen on', default: '127.0.0.1' }),
  DATABASE_URL: postgresUrl({
    description: 'PostgreSQL to use; unset starts an embedded PostgreSQL under the data dir',
    optional: true,
    secret: true,
  }),
  DB_POOL_SIZE: int({ description: 'database connections per process', default: 20, min: 1, max: 500 }),
  DB_IDLE_TIMEOUT_SECONDS: int({
    description: 'how long an idle database connection is kept open (a new one costs milliseconds on the next request)',
    default: 300,
    min: 1,
    max: 86400,
  }),
  // A service started together with its database (compose, systemd, a human) must outwait the
  // database's start and crash recovery rather than exit at its first refusal. Under Pacemaker the
  // database has started first; 30 s lets a start that can't reach it fail with its reason logged
  // well inside the agent's 60 s start timeout.
  DB_START_WAIT_SECONDS: int({
    description: 'how long a starting service keeps trying to reach its database before giving up',
    default: 30,
    min: 0,
    max: 3600,
  }),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, {
    description: 'log level (JSON logs on stdout)',
    default: 'info',
  }),
  SHUTDOWN_TIMEOUT_MS: int({
    description: 'how long a SIGTERM waits for in-flight requests before closing anyway',
    default: 10000,
    min: 0,
  }),
  EMBEDDED_PG_PORT: port({ description: 'port of the embedded PostgreSQL (only when DATABASE_URL is unset)', default: 54329 }),
  HOUSEKEEPING_INTERVAL_SECONDS: int({
    description: 'how often the purge jobs run (expired sessions and SAML state, history and audit past retention)',
    default: 3600,
    min: 1,
    max: 7 * 86400,
  }),
  HOUSEKEEPING_BATCH_ROWS: int({
    description: 'most rows one purge DELETE removes (each batch is a short transaction)',
    default: 1000,
    min: 1,
    max: 100000,
  }),
  // 0 by default: the audit log is the record of who changed what, which operators may be bound to
  // keep for a set time; deleting it is their decision, never a silent default.
  AUDIT_RETENTION_DAYS: int({
    description: 'delete audit entries older than this many days (0: keep forever)',
    default: 0,
    min: 0,
    max: 36500,
  }),
};
