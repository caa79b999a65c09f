import { EnvValues, commonEnv, port, str } from '@app/platform';

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
};

export type AaiBridgeConfig = EnvValues<typeof aaiBridgeEnv>;
