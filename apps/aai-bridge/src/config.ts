import { EnvValues, bool, commonEnv, int, port, str } from '@app/platform';

/** aai-bridge configuration. The variable names are fixed: deploy scripts and tests use them. */
export const aaiBridgeEnv = {
  ...commonEnv,
  PORT: port({ description: 'HTTP port', default: 8081 }),
  EMBEDDED_PG_PORT: port({ description: 'port of the embedded PostgreSQL (only when DATABASE_URL is unset)', default: 54330 }),
  AAI_DATA_DIR: str({ description: 'local dir for the embedded PostgreSQL and the generated admin token', default: '.data/aai-bridge' }),
  AAI_ADMIN_TOKEN: str({
    description: 'admin API token to install at start; unset: one is generated once and written to the data dir',
    optional: true,
    secret: true,
    minLength: 16,
  }),
  KEYSTONE_URL: str({ description: 'Keystone v3 URL, e.g. http://keystone-vip:5000/v3', optional: true }),
  KEYSTONE_ADMIN_USERNAME: str({ description: "the bridge's Keystone user (admin role on its project)", default: 'admin' }),
  KEYSTONE_ADMIN_PASSWORD: str({ description: "the bridge's Keystone password", optional: true, secret: true }),
  KEYSTONE_ADMIN_PROJECT: str({ description: "the bridge's project (token scope)", default: 'admin' }),
  KEYSTONE_ADMIN_DOMAIN: str({ description: "domain of the bridge's user and project", default: 'Default' }),
  AAI_USERS_DOMAIN: str({ description: 'Keystone domain of federated users (unless the mapping names one)', default: 'Default' }),
  AAI_PROJECTS_DOMAIN: str({ description: 'Keystone domain of mapped projects', default: 'Default' }),
  AAI_CREATE_PROJECTS: bool({ description: 'create mapped projects that do not exist (else the login fails naming them)', default: false }),
  AAI_GRANT_EXPIRY_DAYS: int({ description: 'revoke grants not refreshed by a login for this many days (0: never)', default: 0, min: 0 }),
};

export type AaiBridgeConfig = EnvValues<typeof aaiBridgeEnv>;
