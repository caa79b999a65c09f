import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { InMemoryCacheProvider } from '@node-saml/node-saml/lib/in-memory-cache-provider';
import { SignedXml } from 'xml-crypto';
import { Figure } from './figures';
import { createDatabase, fmt, freePort, percentile } from './harness';
import { normaliseAttributes, toKeystoneAssertion } from '../apps/aai-bridge/src/saml/attributes';
import { processMapping } from '../libs/keystone-mapping/src';
import { KeystoneSession, OpenStackHttp } from '../libs/openstack/src';
import { makeKeyPair } from '../test/support/saml-fixtures';
import { ForgingIdp, newId } from '../test/support/saml-forge';

const run = promisify(execFile);
const RULES = {
  rules: [
    { local: [{ user: { name: '{0}', email: '{1}' } }], remote: [{ type: 'eduPersonPrincipalName' }, { type: 'mail' }] },
    {
      local: [{ projects: [{ name: 'cms', roles: [{ name: 'member' }] }] }, { group: { name: 'cms-users', domain: { name: 'Default' } } }],
      remote: [{ type: 'isMemberOf', any_one_of: ['infn:cms'] }],
    },
  ],
};

/**
 * ACS handling without Keystone: verify a signed response (node-saml, as configured in the bridge)
 * and map its attributes, next to the bare signature check of the same messages (the floor).
 * Target: < 30 ms p50. Then the Keystone calls a first and a repeated login make.
 */
export async function benchAaiBridge(adminUrl: string, responses = 300): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'aai-bench-'));
  try {
    const idp = new ForgingIdp(dir);
    const sp = makeKeyPair(dir, 'sp');
    const acs = 'https://aai.bench.test/saml/acs';
    const entityId = 'https://aai.bench.test/saml/metadata';
    const cache = new InMemoryCacheProvider({ keyExpirationPeriodMs: 600_000 });
    const saml = new SAML({
      callbackUrl: acs,
      issuer: entityId,
      audience: entityId,
      idpIssuer: idp.entityId,
      idpCert: idp.cert,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: true,
      validateInResponseTo: ValidateInResponseTo.always,
      cacheProvider: cache,
      acceptedClockSkewMs: 60_000,
      privateKey: sp.key,
    });
    const messages: string[] = [];
    for (let i = 0; i < responses; i++) {
      const requestId = newId();
      await cache.saveAsync(requestId, new Date().toISOString());
      const xml = idp.sign(
        idp.response({
          inResponseTo: requestId,
          acs,
          audience: entityId,
          issuer: idp.entityId,
          nameId: newId(),
          attributes: {
            'urn:oid:1.3.6.1.4.1.5923.1.1.1.6': [`user${i}@infn.it`],
            'urn:oid:0.9.2342.19200300.100.1.3': [`user${i}@infn.it`],
            'urn:oid:1.3.6.1.4.1.5923.1.5.1.1': ['infn:cms', 'infn:lhcb'],
          },
        }),
      );
      messages.push(Buffer.from(xml).toString('base64'));
    }
    const timings: number[] = [];
    for (const SAMLResponse of messages) {
      const t0 = performance.now();
      const { profile } = await saml.validatePostResponseAsync({ SAMLResponse });
      processMapping(RULES, toKeystoneAssertion(normaliseAttributes(profile!.attributes as Record<string, unknown>)), {
        unionProjects: true,
      });
      timings.push(performance.now() - t0);
    }
    const floor: number[] = [];
    for (const SAMLResponse of messages) {
      const xml = Buffer.from(SAMLResponse, 'base64').toString();
      const t0 = performance.now();
      const sig = new SignedXml({ publicCert: idp.cert });
      sig.loadSignature(/<(?:ds:)?Signature[\s\S]*?<\/(?:ds:)?Signature>/.exec(xml)![0]);
      sig.checkSignature(xml);
      floor.push(performance.now() - t0);
    }
    const p = (xs: number[], q: number) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        q,
      );
    console.log(`${responses} signed responses (Response and Assertion signed, RSA-SHA256):`);
    console.log(`  verify + map:            p50 ${fmt(p(timings, 50), 2)} ms, p99 ${fmt(p(timings, 99), 2)} ms  (target p50 < 30 ms)`);
    console.log(
      `  one signature check only: p50 ${fmt(p(floor, 50), 2)} ms  (ratio ${fmt(p(timings, 50) / p(floor, 50), 1)}x: two signatures, schema walk, checks, mapping)`,
    );
    return [
      { name: 'login.verify_map_p50_ms', value: p(timings, 50), baseline: p(floor, 50), unit: 'ms', target: '< 30' },
      ...(await keystoneCalls(adminUrl, dir)),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Keystone calls of a first and a repeated login, through the bridge's provisioning API. */
async function keystoneCalls(adminUrl: string, dir: string): Promise<Figure[]> {
  const script = join(__dirname, '../../test/peers/keystone.sh');
  const ksDir = join(dir, 'keystone');
  const ksPort = await freePort();
  await run('mkdir', ['-p', ksDir]);
  await run(script, ['start', ksDir], { env: { ...process.env, KEYSTONE_PORT: String(ksPort), KEYSTONE_ADMIN_PASSWORD: 'bench-admin' } });
  const ksUrl = `http://127.0.0.1:${ksPort}/v3`;
  const { spawn } = await import('node:child_process');
  const port = await freePort();
  const url = await createDatabase(adminUrl, 'bench_aai');
  const sp = makeKeyPair(dir, 'sp2');
  const idp = new ForgingIdp(dir);
  const proc = spawn(process.execPath, [join(__dirname, '../../dist/apps/aai-bridge/src/main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: url,
      AAI_ADMIN_TOKEN: 'bench-admin-token-0123456789',
      AAI_PUBLIC_URL: `http://127.0.0.1:${port}`,
      AAI_SP_KEY: sp.key,
      AAI_SP_CERT: sp.cert,
      AAI_IDP_METADATA: idp.metadataFile,
      AAI_SECRET_KEY: 'bench-secret-key-0123456789abcdefghij',
      KEYSTONE_URL: ksUrl,
      KEYSTONE_ADMIN_PASSWORD: 'bench-admin',
      LOG_LEVEL: 'warn',
    },
    stdio: 'inherit',
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100 && (await fetch(`${base}/health/ready`).catch(() => null))?.status !== 200; i++)
      await new Promise((r) => setTimeout(r, 200));
    const headers = { Authorization: 'Bearer bench-admin-token-0123456789', 'Content-Type': 'application/json' };
    const admin = new KeystoneSession(
      {
        authUrl: ksUrl,
        username: 'admin',
        password: 'bench-admin',
        projectName: 'admin',
        userDomainName: 'Default',
        projectDomainName: 'Default',
        interface: 'public',
      },
      new OpenStackHttp(),
    );
    await admin.request({ method: 'POST', url: `${ksUrl}/projects`, body: { project: { name: 'cms', domain_id: 'default' } } });
    await admin.request({ method: 'POST', url: `${ksUrl}/groups`, body: { group: { name: 'cms-users', domain_id: 'default' } } });
    await fetch(`${base}/v1/mapping`, { method: 'PUT', headers, body: JSON.stringify(RULES) });
    const assertion = { eduPersonPrincipalName: 'bench@infn.it', mail: 'bench@infn.it', isMemberOf: 'infn:cms' };
    const logins: Array<{ calls: number; ms: number }> = [];
    for (const which of ['first', 'repeated']) {
      const t0 = performance.now();
      const res = (await (
        await fetch(`${base}/v1/provisioning`, { method: 'POST', headers, body: JSON.stringify({ assertion }) })
      ).json()) as any;
      const ms = performance.now() - t0;
      logins.push({ calls: res.keystoneCalls.read + res.keystoneCalls.write + res.keystoneCalls.auth, ms });
      console.log(
        `  ${which} login: Keystone calls read ${res.keystoneCalls.read}, write ${res.keystoneCalls.write}, token ${res.keystoneCalls.auth}; provisioning ${fmt(ms, 1)} ms`,
      );
    }
    const [first, repeated] = logins;
    return [
      { name: 'login.repeat_keystone_calls', value: repeated.calls, baseline: first.calls, unit: 'calls', target: '<= 1' },
      { name: 'login.repeat_provisioning_ms', value: repeated.ms, baseline: first.ms, unit: 'ms', target: '< 15' },
    ];
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    await run(script, ['stop', ksDir]);
  }
}
