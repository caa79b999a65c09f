import { DEFAULT_MAX_LINE_LENGTH, DEFAULT_MAX_RANGE_SIZE } from '@app/mac';
import { byteSize, commonEnv, configToken, EnvValues, int, port, str } from '@app/platform';

export const macPoolEnv = {
  ...commonEnv,
  PORT: port({ description: 'HTTP port', default: 8080 }),
  MACPOOL_DATA_DIR: str({ description: 'local dir for the embedded PostgreSQL and the generated admin token', default: '.data/mac-pool' }),
  MACPOOL_ADMIN_TOKEN: str({
    description: 'admin bearer token to install at start (automation); unset: one is generated once and written to the data dir',
    optional: true,
    secret: true,
    minLength: 16,
  }),
  MACPOOL_MAX_RANGE: int({
    description: 'most MACs a single first-last range may hold',
    default: DEFAULT_MAX_RANGE_SIZE,
    min: 1,
    max: 2 ** 40,
  }),
  MACPOOL_MAX_UPLOAD_MACS: int({ description: 'most MACs one upload may hold after expanding ranges', default: 2 ** 25, min: 1 }),
  MACPOOL_MAX_REPORTED_ERRORS: int({
    description: 'most bad lines listed in one 422 reply (the total is always given)',
    default: 1000,
    min: 1,
  }),
  MACPOOL_MAX_CONCURRENT_UPLOADS: int({
    description: 'uploads read at once per process; more are answered 429 with Retry-After',
    default: 4,
    min: 1,
    max: 64,
  }),
  MACPOOL_MAX_LINE_LENGTH: int({
    description: 'longest upload line, CSV record or JSON element in characters; longer ones are refused as line_too_long',
    default: DEFAULT_MAX_LINE_LENGTH,
    min: 64,
    max: 1024 * 1024,
  }),
  MACPOOL_SWEEP_INTERVAL_SECONDS: int({
    description: 'how often expired reservations and ended quarantines return to free',
    default: 10,
    min: 1,
  }),
  MACPOOL_JSON_UPLOAD_LIMIT: byteSize({
    description: 'largest JSON upload body, e.g. 64mb (text and CSV uploads stream, unlimited)',
    default: 64 * 1024 ** 2,
  }),
  MACPOOL_OS_CLOUD: str({
    description: 'cloud in clouds.yaml whose Keystone credentials reach Neutron for reconciliation',
    optional: true,
  }),
  MACPOOL_CLOUDS_YAML: str({
    description: 'clouds.yaml path (default: OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/)',
    optional: true,
  }),
  MACPOOL_NEUTRON_URL: str({ description: "Neutron endpoint: overrides the catalog's; alone, Neutron's noauth mode", optional: true }),
  MACPOOL_RECONCILE_INTERVAL_SECONDS: int({ description: 'how often to reconcile with Neutron (0: only on demand)', default: 300, min: 0 }),
  // 0 by default: the history answers "which port held this MAC at time T" for abuse reports and
  // network logs that can arrive months later, and its rows are small; how long to keep it is the
  // operator's policy, not something to guess.
  MACPOOL_HISTORY_RETENTION_DAYS: int({
    description: 'delete MAC history events older than this many days (0: keep forever)',
    default: 0,
    min: 0,
    max: 36500,
  }),
  MACPOOL_RECONCILE_GRACE_SECONDS: int({
    description: 'allocations younger than this are never released by reconciliation',
    default: 300,
    min: 0,
  }),
};

/** The validated values; inject with `@Inject(MacPoolConfig) config: MacPoolConfig`. */
export type MacPoolConfig = EnvValues<typeof macPoolEnv>;
export const MacPoolConfig = configToken('MacPoolConfig');
