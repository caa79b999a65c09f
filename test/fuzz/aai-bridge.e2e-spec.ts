import { Endpoint, endpointsOf, routeName } from './endpoints';
import { FuzzLog, FuzzTarget, fuzz, otherMethods, snapshot, summarize } from './fuzz-run';
import { startAaiBridge } from '../support/aai-bridge-app';
import { freePort } from '../support/free-port';
import { TestApp } from '../support/nest-app';

/** Requests per phase: a few thousand in all across both services, about a minute on two cores. */
const REFUSED_RUNS = Number(process.env.FUZZ_RUNS ?? 1200);
const FREE_RUNS = Math.round(REFUSED_RUNS * 0.8);

const form = (...fields: string[]) => ({
  kind: 'form' as const,
  contentTypes: ['application/x-www-form-urlencoded'],
  schema: { type: 'object', properties: Object.fromEntries(fields.map((f) => [f, { type: 'string' }])) },
});

/** Routes outside the OpenAPI document: the SAML bindings the IdP posts to, the discovery script, metrics, the console. */
const UNDOCUMENTED: Endpoint[] = [
  { method: 'post', path: '/saml/acs', pathParams: [], query: [], secured: false, body: form('SAMLResponse', 'RelayState') },
  { method: 'post', path: '/saml/slo', pathParams: [], query: [], secured: false, body: form('SAMLRequest', 'SAMLResponse', 'RelayState') },
  { method: 'get', path: '/saml/discovery.js', pathParams: [], query: [], secured: false },
  { method: 'get', path: '/metrics', pathParams: [], query: [], secured: false },
  { method: 'get', path: '/docs-json', pathParams: [], query: [], secured: false, outsideNest: true },
  { method: 'get', path: '/admin', pathParams: [], query: [], secured: false },
  { method: 'get', path: '/admin/{path}', pathParams: ['path'], query: [], secured: false },
];

/** Routes whose service calls Keystone while answering: without it, 502 keystone_error. */
const KEYSTONE_ROUTES = [
  'POST /v1/provisioning',
  'PUT /v1/mapping',
  'POST /v1/mapping/apply-runs/{id}/resume',
  'POST /v1/users/dormant/sweep',
  'GET /websso',
  'GET /cli',
  'POST /cli/clouds.yaml',
  'POST /device/token',
  'POST /device',
];

const OAUTH_ERRORS = [
  'authorization_pending',
  'slow_down',
  'access_denied',
  'expired_token',
  'invalid_grant',
  'unsupported_grant_type',
  'invalid_request',
];

const ASSERTION = { eduPersonPrincipalName: 'alice@infn.it', isMemberOf: 'infn:cms' };

/** What a hostile IdP or client posts to the SAML bindings: garbage, entity expansion, external entities, deep XML. */
const SAML_MESSAGES = [
  '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>',
  '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]><r>&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;</r>',
  '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>',
  '<a>'.repeat(5000) + '</a>'.repeat(5000),
  'not xml at all',
]
  .map((xml) => Buffer.from(xml).toString('base64'))
  .concat(['%%%not-base64%%%', '']);

const RULES = {
  rules: [
    { local: [{ user: { name: '{0}' } }], remote: [{ type: 'eduPersonPrincipalName' }] },
    { local: [{ projects: [{ name: 'cms', roles: [{ name: 'member' }] }] }], remote: [{ type: 'isMemberOf', any_one_of: ['infn:cms'] }] },
  ],
};

describe('fuzz: aai-bridge, every endpoint with hostile requests (fixed seed, Keystone absent)', () => {
  let t: TestApp;
  let target: FuzzTarget;
  let endpoints: Endpoint[];
  const refused = new FuzzLog();
  const free = new FuzzLog();

  beforeAll(async () => {
    // Keystone is absent: configured, but at a closed port.
    t = await startAaiBridge({
      KEYSTONE_URL: `http://127.0.0.1:${await freePort()}/v3`,
      KEYSTONE_ADMIN_PASSWORD: 'fuzz-keystone-password',
      // Background jobs would change rows while the refused phase compares snapshots.
      AAI_METADATA_REFRESH_SECONDS: '86400',
      HOUSEKEEPING_INTERVAL_SECONDS: '86400',
      LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? 'fatal',
    });
    const reader = await t.tokenFor('reader');
    expect((await t.http.put('/v1/mapping').query({ comment: 'fuzz' }).set(t.admin).send(RULES)).status).toBe(200);

    const doc = (await t.http.get('/docs-json')).body;
    endpoints = [...endpointsOf(doc), ...UNDOCUMENTED];
    target = {
      service: 'aai-bridge',
      t,
      known: {
        path: { id: ['1', '2', '0', '2147483648', '9007199254740994'], path: ['index.html', 'assets/app.js', '..%2F..%2Fetc%2Fpasswd'] },
        text: [
          'alice@infn.it',
          'eduPersonPrincipalName',
          'infn:cms',
          'cms',
          'now',
          'urn:ietf:params:oauth:grant-type:device_code',
          'https://idp.stub.test/idp',
          'http://127.0.0.1:8081/',
          'BCDF-GHJK',
          'reader',
          'hook',
        ],
        adminToken: t.admin.Authorization.slice('Bearer '.length),
        principals: ['admin', 'admin', 'admin', 'reader', 'reader', 'none', 'none', 'bogus'],
        cookies: ['aai_session', 'aai_idp'],
        bodies: {
          'PUT /v1/mapping': [RULES, RULES.rules],
          'POST /v1/mapping/preview': [RULES],
          'POST /v1/mapping/test': [{ assertion: ASSERTION }, { rules: RULES, assertion: ASSERTION }],
          'POST /v1/provisioning': [{ assertion: ASSERTION }],
          'POST /device/code': [{ project: 'cms', cloud: 'infn-cms' }, {}],
          'POST /device/token': [{ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'x' }],
          'POST /device': [{ user_code: 'BCDF-GHJK' }],
          'POST /cli/clouds.yaml': [{ project: 'cms', days: '30' }],
          'POST /saml/acs': SAML_MESSAGES.map((m) => ({ SAMLResponse: m, RelayState: 'http://127.0.0.1:8081/' })),
          'POST /saml/slo': SAML_MESSAGES.flatMap((m) => [{ SAMLRequest: m }, { SAMLResponse: m, RelayState: 'x' }]),
        },
      },
      authorization: { admin: t.admin.Authorization, reader: reader.Authorization },
      // The routes whose service calls Keystone while answering; any other 5xx fails.
      peerFailures: Object.fromEntries(KEYSTONE_ROUTES.map((r) => [r, ['keystone_error']])),
      allowances: [
        {
          route: 'POST /device/token',
          why: "RFC 8628 3.5: the device flow's token endpoint answers errors the OAuth way (RFC 6749 5.2), as its CLI client reads them",
          accepts: (res) => {
            const body = res.body as { error?: unknown; error_description?: unknown } | undefined;
            return (
              res.status === 400 &&
              Object.keys(body ?? {})
                .sort()
                .join() === 'error,error_description' &&
              OAUTH_ERRORS.includes(String(body?.error)) &&
              typeof body?.error_description === 'string'
            );
          },
        },
      ],
    };
  });
  afterAll(async () => {
    console.log(summarize('aai-bridge', refused, free).join('\n'));
    await t?.close();
  });

  it('enumerates every documented route from /docs-json', () => {
    expect(endpoints.map(routeName)).toEqual(
      expect.arrayContaining([
        'PUT /v1/mapping',
        'POST /v1/mapping/test',
        'POST /v1/provisioning',
        'POST /v1/mapping/apply-runs/{id}/resume',
        'GET /saml/login',
        'GET /websso',
        'POST /cli/clouds.yaml',
        'GET /me',
        'POST /saml/acs',
      ]),
    );
    expect(endpoints.length).toBeGreaterThanOrEqual(30);
  });

  it('refuses every request carrying something it must refuse with a 4xx in the error shape, and writes nothing', async () => {
    const volatile = { api_tokens: ['last_used_at'] };
    const before = await snapshot(t.databaseUrl, volatile);
    for (const table of ['mapping_versions', 'api_tokens']) expect(before[table]).not.toMatch(/^0 rows/);
    await fuzz(target, endpoints, 'refused', REFUSED_RUNS, refused);
    expect(refused.failures).toEqual([]);
    expect(await snapshot(t.databaseUrl, volatile)).toEqual(before);
    expect(refused.routes.size).toBe(endpoints.length);
  });

  it('answers anything else below 500 (502/503 only where Keystone is needed), errors in the shape', async () => {
    await fuzz(target, endpoints, 'free', FREE_RUNS, free, otherMethods(endpoints));
    expect(free.failures).toEqual([]);
  });
});
