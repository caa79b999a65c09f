import { bool, commonEnv, configToken, EnvValues, EnvVar, int, oneOf, port, str } from '@app/platform';

const url = (o: Omit<EnvVar<string>, 'parse'>): EnvVar<string> => ({
  ...o,
  parse(raw) {
    const u = new URL(raw);
    if (!['http:', 'https:'].includes(u.protocol)) throw new Error('must be an http(s) URL');
    return raw.replace(/\/+$/, '');
  },
});

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
  AAI_PUBLIC_URL: url({ description: 'external base URL of the bridge (its VIP); ACS and metadata derive from it' }),
  AAI_SP_ENTITY_ID: str({ description: "the SP's SAML entityID (default: the metadata URL)", optional: true }),
  AAI_SP_KEY: str({ description: "file with the SP's private key (PEM): signs requests, decrypts assertions" }),
  AAI_SP_CERT: str({ description: "file with the SP's certificate (PEM), published in the SP metadata" }),
  AAI_IDP_METADATA: str({
    description:
      'comma-separated metadata sources: file paths, http(s) URLs of one IdP or of an aggregate (EntitiesDescriptor), or MDQ bases written mdq+https://host/path/ (the last good copy of each is kept in the database for starts while it is down)',
  }),
  AAI_METADATA_SIGNERS: str({
    description:
      "comma-separated PEM files of the federation's metadata signing certificates; set: a source not signed by one of them is refused",
    default: '',
  }),
  AAI_METADATA_REFRESH_SECONDS: int({
    description: "how often metadata sources are re-read in the background (a source's shorter cacheDuration wins)",
    default: 3600,
    min: 1,
  }),
  AAI_IDP_ALLOW: str({
    description: 'comma-separated entityIDs of the IdPs users may log in with, or * for every IdP in the sources',
    default: '*',
  }),
  AAI_DISCOVERY_URL: url({
    description: "an external SAML discovery service (IDEM's, eduGAIN's) asked which IdP to use; unset: the bridge's own discovery page",
    optional: true,
  }),
  AAI_SP_DISPLAY_NAME: str({ description: 'the SP display name in its metadata (mdui:DisplayName)', optional: true }),
  AAI_SP_DESCRIPTION: str({ description: 'the SP description in its metadata (mdui:Description)', optional: true }),
  AAI_SP_LOGO_URL: str({ description: 'an https URL of the SP logo in its metadata (mdui:Logo, 64x64)', optional: true }),
  AAI_SP_TECHNICAL_CONTACT: str({ description: 'e-mail of the technical contact in the SP metadata', optional: true }),
  AAI_SP_SECURITY_CONTACT: str({
    description: 'e-mail of the security contact in the SP metadata (REFEDS security contact; the SP then asserts SIRTFI)',
    optional: true,
  }),
  AAI_SP_SIGN_METADATA: bool({ description: 'sign the SP metadata with the SP key (as a federation registry may want)', default: false }),
  AAI_WANT_ASSERTIONS_SIGNED: bool({
    description: 'require a signature on the Assertion (false: a signed Response suffices)',
    default: true,
  }),
  AAI_WANT_RESPONSE_SIGNED: bool({ description: 'require a signature on the Response', default: false }),
  AAI_CLOCK_SKEW_SECONDS: int({
    description: 'accepted clock difference with the IdP for NotBefore/NotOnOrAfter',
    default: 60,
    min: 0,
    max: 600,
  }),
  AAI_TRUSTED_DASHBOARDS: str({ description: 'comma-separated Horizon WebSSO URLs trusted as origin (exact match)', default: '' }),
  AAI_SESSION_HOURS: int({ description: 'browser session lifetime', default: 8, min: 1, max: 168 }),
  AAI_TOKEN_METHOD: oneOf(['totp', 'password'] as const, {
    description: 'how the bridge gets Keystone tokens for users: a TOTP credential it holds, or a random password it sets',
    default: 'totp',
  }),
  AAI_SECRET_KEY: str({
    description: 'key that encrypts secrets at rest (the per-user TOTP secrets); at least 32 characters',
    secret: true,
    minLength: 32,
  }),
  KEYSTONE_URL: str({ description: 'Keystone v3 URL, e.g. http://keystone-vip:5000/v3', optional: true }),
  KEYSTONE_PUBLIC_URL: str({ description: 'Keystone URL users reach (in clouds.yaml); default KEYSTONE_URL', optional: true }),
  KEYSTONE_ADMIN_USERNAME: str({ description: "the bridge's Keystone user (admin role on its project)", default: 'admin' }),
  KEYSTONE_ADMIN_PASSWORD: str({ description: "the bridge's Keystone password", optional: true, secret: true }),
  KEYSTONE_ADMIN_PROJECT: str({ description: "the bridge's project (token scope)", default: 'admin' }),
  KEYSTONE_ADMIN_DOMAIN: str({ description: "domain of the bridge's user and project", default: 'Default' }),
  AAI_USERS_DOMAIN: str({ description: 'Keystone domain of federated users (unless the mapping names one)', default: 'Default' }),
  AAI_PROJECTS_DOMAIN: str({ description: 'Keystone domain of mapped projects', default: 'Default' }),
  AAI_CREATE_PROJECTS: bool({ description: 'create mapped projects that do not exist (else the login fails naming them)', default: false }),
  AAI_GRANT_EXPIRY_DAYS: int({ description: 'revoke grants not refreshed by a login for this many days (0: never)', default: 0, min: 0 }),
  AAI_ATTRIBUTE_RETENTION_DAYS: int({
    description: 'drop the attributes kept per user (for mapping previews) after this many days without a login (0: keep)',
    default: 365,
    min: 0,
  }),
  AAI_PROVISION_RECHECK_MINUTES: int({
    description: 'a repeated login with nothing changed skips Keystone unless the last full provisioning is this old (0: always full)',
    default: 60,
    min: 0,
  }),
  AAI_DORMANT_DAYS: int({
    description: 'users not seen for this many days lose every bridge grant and are disabled in Keystone until they log in (0: never)',
    default: 0,
    min: 0,
  }),
  AAI_DELETE_DAYS: int({
    description: 'delete dormant users from Keystone after this many days without a login (0: never)',
    default: 0,
    min: 0,
  }),
  AAI_APPLY_BATCH_SIZE: int({
    description: 'users re-provisioned per batch by an apply-now of the mapping',
    default: 100,
    min: 1,
    max: 10000,
  }),
  AAI_APP_CREDENTIAL_DAYS: int({
    description: 'validity of the application credential a CLI login (aai-bridge login, the device flow) receives',
    default: 30,
    min: 1,
    max: 365,
  }),
};

/** The validated values; inject with `@Inject(AaiBridgeConfig) config: AaiBridgeConfig`. */
export type AaiBridgeConfig = EnvValues<typeof aaiBridgeEnv>;
export const AaiBridgeConfig = configToken('AaiBridgeConfig');
