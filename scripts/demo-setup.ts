import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A user of the example IdP and where the example mapping puts them. */
export interface DemoUser {
  username: string;
  password: string;
  /** What the page after login shows ("demo (member)"). */
  lands: string[];
  /** Friendly attribute names; the IdP sends them as urn:oid: names, as a Shibboleth IdP does. */
  attributes: Record<string, string[]>;
}

export const DEMO_USERS: DemoUser[] = [
  {
    username: 'alice',
    password: 'alice-demo',
    lands: ['demo (member)', 'physics (member)'],
    attributes: {
      eduPersonPrincipalName: ['alice@infn.it'],
      mail: ['alice@example.infn.it'],
      displayName: ['Alice Rossi'],
      isMemberOf: ['infn:demo'],
      eduPersonEntitlement: ['urn:mace:infn.it:physics'],
    },
  },
  {
    username: 'bob',
    password: 'bob-demo',
    lands: ['demo (member)'],
    attributes: {
      eduPersonPrincipalName: ['bob@infn.it'],
      mail: ['bob@example.infn.it'],
      displayName: ['Bob Bianchi'],
      isMemberOf: ['infn:demo'],
      eduPersonEntitlement: [],
    },
  },
];

/** The Keystone projects the mapping grants; the demo creates them (the bridge does not, by default). */
export const DEMO_PROJECTS = ['demo', 'physics'];

/** Keystone federation mapping rules, in the shape `keystone-manage mapping_engine` reads. */
export const DEMO_MAPPING = {
  rules: [
    {
      local: [{ user: { name: '{0}', email: '{1}' } }],
      remote: [{ type: 'eduPersonPrincipalName' }, { type: 'mail' }],
    },
    {
      local: [{ projects: [{ name: 'demo', roles: [{ name: 'member' }] }] }],
      remote: [{ type: 'isMemberOf', any_one_of: ['infn:demo'] }],
    },
    {
      local: [{ projects: [{ name: 'physics', roles: [{ name: 'member' }] }] }],
      remote: [{ type: 'eduPersonEntitlement', any_one_of: ['urn:mace:infn.it:physics'] }],
    },
  ],
};

export const DEMO_POOL = {
  name: 'demo',
  description: 'example pool of the demo',
  priority: 50,
  /** Locally administered unicast MACs (02:…), one text line as an upload takes it. */
  macs: '02:00:5e:10:00:00-02:00:5e:10:00:0f',
  size: 16,
};

/** The IdP reads users.json at every login (test/peers/simplesamlphp.sh). */
export async function writeIdpUsers(idpDir: string): Promise<void> {
  const users = Object.fromEntries(DEMO_USERS.map((u) => [u.username, { password: u.password, attributes: u.attributes }]));
  await writeFile(join(idpDir, 'users.json'), JSON.stringify(users, null, 2));
}

async function call(method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<Response> {
  const res = await fetch(url, {
    method,
    headers: {
      ...headers,
      ...(body === undefined ? {} : { 'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json' }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${url} answered ${res.status}: ${await res.text()}`);
  return res;
}

/** Creates the example projects in Keystone as its bootstrap admin. */
export async function createKeystoneProjects(keystoneUrl: string, adminPassword: string): Promise<void> {
  const auth = await call(
    'POST',
    `${keystoneUrl}/auth/tokens`,
    {},
    {
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: adminPassword } } },
        scope: { project: { name: 'admin', domain: { id: 'default' } } },
      },
    },
  );
  const token = { 'X-Auth-Token': auth.headers.get('x-subject-token')! };
  for (const name of DEMO_PROJECTS) {
    await call('POST', `${keystoneUrl}/projects`, token, {
      project: { name, domain_id: 'default', description: 'example project of the demo' },
    });
  }
}

/** Installs the example mapping in aai-bridge. */
export async function installMapping(bridgeUrl: string, adminToken: string): Promise<void> {
  await call('PUT', `${bridgeUrl}/v1/mapping`, { Authorization: `Bearer ${adminToken}` }, DEMO_MAPPING);
}

/** Creates the example pool in mac-pool and uploads its MACs. */
export async function createPool(macPoolUrl: string, adminToken: string): Promise<void> {
  const auth = { Authorization: `Bearer ${adminToken}` };
  const { macs, size: _size, ...pool } = DEMO_POOL;
  await call('POST', `${macPoolUrl}/v1/pools`, auth, pool);
  await call('POST', `${macPoolUrl}/v1/pools/${DEMO_POOL.name}/macs`, auth, `${macs}\n`);
}
