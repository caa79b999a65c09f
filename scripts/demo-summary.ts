import { DEMO_MAPPING, DEMO_POOL, DEMO_USERS } from './demo-setup';

/** What is running, as the summary prints it. */
export interface DemoEndpoints {
  macPoolUrl: string;
  macPoolToken: string;
  macPoolDatabase: string;
  bridgeUrl: string;
  bridgeToken: string;
  bridgeDatabase: string;
  keystoneUrl: string;
  keystonePassword: string;
  idpUrl: string;
  dataDir: string;
}

/** The line printed last: a script (the demo's test) waits for it. */
export const READY_LINE = 'demo ready: press Ctrl-C to stop everything.';

/** The login URL: after the IdP, the bridge shows the user's projects and offers a clouds.yaml. */
export const loginUrl = (bridgeUrl: string) => `${bridgeUrl}/saml/login?returnTo=/cli`;

/** The allocation the Neutron plugin would ask for, as a curl line that works pasted into a shell. */
export const allocationCurl = (macPoolUrl: string, token: string) =>
  `curl -s -X POST -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' ` +
  `-d '{"portId":"demo-port-1","hostname":"vm1"}' ${macPoolUrl}/v1/allocations`;

/** What a user needs to try everything: URLs, users, tokens, three things to do. */
export function summary(e: DemoEndpoints): string {
  const [first] = DEMO_USERS;
  const mappedGroups = DEMO_MAPPING.rules.length - 1;
  const width = Math.max(...DEMO_USERS.map((u) => `${u.username} / ${u.password}`.length));
  return [
    '',
    'Running (all on 127.0.0.1, until Ctrl-C):',
    `  mac-pool API         ${e.macPoolUrl}/v1   (OpenAPI: ${e.macPoolUrl}/docs)`,
    `  mac-pool console     ${e.macPoolUrl}/admin/`,
    `  aai-bridge login     ${loginUrl(e.bridgeUrl)}`,
    `  aai-bridge console   ${e.bridgeUrl}/admin/`,
    `  Keystone             ${e.keystoneUrl}`,
    `  SAML IdP             ${e.idpUrl}   (SimpleSAMLphp; metadata: ${e.idpUrl}saml2/idp/metadata.php)`,
    `  PostgreSQL           embedded, one per service: mac-pool ${e.macPoolDatabase}, aai-bridge ${e.bridgeDatabase}`,
    '',
    'Users of the IdP (the example mapping puts them in Keystone projects):',
    ...DEMO_USERS.map((u) => `  ${`${u.username} / ${u.password}`.padEnd(width)}   → ${u.lands.join(', ')}`),
    '',
    'Admin tokens (the consoles ask for them):',
    `  mac-pool             ${e.macPoolToken}`,
    `  aai-bridge           ${e.bridgeToken}`,
    `  Keystone             user admin, password ${e.keystonePassword} (project admin, domain Default)`,
    '',
    'Example data:',
    `  mac-pool: pool "${DEMO_POOL.name}" with ${DEMO_POOL.size} MACs, ${DEMO_POOL.macs}`,
    `  aai-bridge: a mapping of ${DEMO_MAPPING.rules.length} rules (user name and e-mail from the assertion, ${mappedGroups} group/entitlement → project rules)`,
    '',
    'Try it:',
    `  1. Log in through SSO: open ${loginUrl(e.bridgeUrl)}`,
    `     and sign in at the IdP as ${first.username} / ${first.password}; the page you come back to lists your Keystone projects and roles.`,
    '  2. Allocate a MAC for a port, as the Neutron plugin does (again: the same MAC; the console shows it):',
    `     ${allocationCurl(e.macPoolUrl, e.macPoolToken)}`,
    '  3. On the page of step 1, press "clouds.yaml" beside a project (it holds a new application credential), then:',
    '     OS_CLIENT_CONFIG_FILE=~/Downloads/clouds.yaml openstack --os-cloud demo token issue',
    '',
    `Logs and data: ${e.dataDir} (removed at Ctrl-C, kept if something fails)`,
    READY_LINE,
    '',
  ].join('\n');
}
