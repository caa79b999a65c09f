import { ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { Figure } from './figures';
import { createDatabase, fmt, freePort, load } from './harness';
import { mapLabels } from '../apps/aai-bridge/src/mapping/mapping-preview';
import { KeystoneSession, OpenStackHttp } from '../libs/openstack/src';
import { makeKeyPair } from '../test/support/saml-fixtures';
import { ForgingIdp } from '../test/support/saml-forge';

const run = promisify(execFile);
const TOKEN = 'bench-admin-token-0123456789';
const EXPERIMENTS = 20;

const USER_RULE = { local: [{ user: { name: '{0}', email: '{1}' } }], remote: [{ type: 'eduPersonPrincipalName' }, { type: 'mail' }] };
const experimentRule = (k: number, role: string) => ({
  local: [{ projects: [{ name: `exp${k}`, roles: [{ name: role }] }] }],
  remote: [{ type: 'isMemberOf', any_one_of: [`infn:exp${k}`] }],
});
/** v1: one project per experiment group (member). */
const V1 = { rules: [USER_RULE, ...Array.from({ length: EXPERIMENTS }, (_, k) => experimentRule(k, 'member'))] };
/** v2: experiments 0-4 drop out, 5-9 become reader, 10-19 stay: most users change. */
const V2 = {
  rules: [USER_RULE, ...Array.from({ length: EXPERIMENTS - 5 }, (_, i) => experimentRule(i + 5, i + 5 < 10 ? 'reader' : 'member'))],
};

/** A user's attributes: one to three experiment groups (fixed by the index: the run repeats). */
const attributesOf = (i: number): Record<string, string[]> => ({
  eduPersonPrincipalName: [`user${i}@infn.it`],
  mail: [`user${i}@infn.it`],
  isMemberOf: [...new Set([i % EXPERIMENTS, (i * 7) % EXPERIMENTS, (i * 13) % EXPERIMENTS].slice(0, 1 + (i % 3)))].map(
    (k) => `infn:exp${k}`,
  ),
});

/**
 * The mapping preview for 10,000 known users (stored attributes and grant records: pure
 * computation and the database), and apply-now on a real Keystone population of `applyUsers`
 * (each user: the Keystone reads and writes of a re-provisioning), per user and extrapolated.
 * Target: the preview under 5 s.
 */
export async function benchMappingRollout(adminUrl: string, users = 10_000, applyUsers = 200): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'aai-rollout-bench-'));
  const script = join(__dirname, '../../test/peers/keystone.sh');
  const ksDir = join(dir, 'keystone');
  const ksPort = await freePort();
  await mkdir(ksDir, { recursive: true });
  await run(script, ['start', ksDir], { env: { ...process.env, KEYSTONE_PORT: String(ksPort), KEYSTONE_ADMIN_PASSWORD: 'bench-admin' } });
  const ksUrl = `http://127.0.0.1:${ksPort}/v3`;
  const databaseUrl = await createDatabase(adminUrl, 'bench_aai_rollout');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const sp = makeKeyPair(dir, 'sp');
  const proc: ChildProcess = spawn(process.execPath, [join(__dirname, '../../dist/apps/aai-bridge/src/main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      AAI_ADMIN_TOKEN: TOKEN,
      AAI_PUBLIC_URL: base,
      AAI_SP_KEY: sp.key,
      AAI_SP_CERT: sp.cert,
      AAI_IDP_METADATA: new ForgingIdp(dir).metadataFile,
      AAI_SECRET_KEY: 'bench-secret-key-0123456789abcdefghij',
      KEYSTONE_URL: ksUrl,
      KEYSTONE_ADMIN_PASSWORD: 'bench-admin',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const keystoneCalls = async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return [...text.matchAll(/^aai_keystone_request_duration_seconds_count\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
  };
  try {
    for (let i = 0; i < 300 && (await fetch(`${base}/health/ready`).catch(() => null))?.status !== 200; i++)
      await new Promise((r) => setTimeout(r, 200));
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
    for (let k = 0; k < EXPERIMENTS; k++)
      await admin.request({ method: 'POST', url: `${ksUrl}/projects`, body: { project: { name: `exp${k}`, domain_id: 'default' } } });
    if ((await api('PUT', '/v1/mapping', V1)).status !== 200) throw new Error('PUT /v1/mapping failed');

    // Apply-now on real Keystone users, provisioned first as logins would.
    const provisioning = await load(applyUsers, 4, async (i) => {
      const assertion = Object.fromEntries(Object.entries(attributesOf(i)).map(([k, v]) => [k, v.join(';')]));
      const res = await api('POST', '/v1/provisioning', { assertion });
      if (res.status !== 200) throw new Error(`provisioning user${i}: ${res.status} ${JSON.stringify(res.body)}`);
    });
    console.log(`${applyUsers} users provisioned in real Keystone (4 at a time): ${fmt(provisioning.opsPerSecond, 1)} logins/s`);
    const callsBefore = await keystoneCalls();
    const t0 = performance.now();
    const started = await api('PUT', '/v1/mapping?apply=now', V2);
    if (started.status !== 202) throw new Error(`apply-now: ${started.status} ${JSON.stringify(started.body)}`);
    let runState = started.body.run;
    while (runState.status === 'running') {
      await new Promise((r) => setTimeout(r, 100));
      runState = (await api('GET', `/v1/mapping/apply-runs/${runState.id}`)).body;
    }
    const applySeconds = (performance.now() - t0) / 1000;
    const calls = (await keystoneCalls()) - callsBefore;
    const perUserMs = (applySeconds * 1000) / applyUsers;
    console.log(
      `apply-now, ${applyUsers} real Keystone users: ${runState.status}, ${fmt(applySeconds, 2)} s (${fmt(perUserMs, 1)} ms/user, ` +
        `${fmt(calls / applyUsers, 1)} Keystone calls/user; granted ${runState.granted}, revoked ${runState.revoked}, failed ${runState.failedUsers.length})`,
    );
    console.log(
      `  extrapolated to ${users} users, 4 users at a time as the run goes: ~${fmt((perUserMs * users) / 60_000, 1)} min (linear in users and Keystone latency)`,
    );

    // The preview: the rest of the 10,000 seeded straight into the tables a login fills.
    const seeded = users - applyUsers;
    const pg = new Client({ connectionString: databaseUrl });
    await pg.connect();
    const rows = Array.from({ length: seeded }, (_, j) => {
      const i = applyUsers + j;
      const attributes = attributesOf(i);
      const mapped = mapLabels(V2, attributes);
      return {
        id: `seed-${String(i).padStart(6, '0')}`,
        name: `user${i}@infn.it`,
        attributes,
        labels: 'labels' in mapped ? mapped.labels : [],
      };
    });
    for (let from = 0; from < rows.length; from += 2000) {
      const chunk = rows.slice(from, from + 2000);
      await pg.query(
        `INSERT INTO federated_users (keystone_user_id, user_name, idp, attributes, last_seen_at)
         SELECT r.id, r.name, 'https://idp.infn.it/idp', r.attributes, now() FROM jsonb_to_recordset($1::jsonb) AS r(id text, name text, attributes jsonb)`,
        [JSON.stringify(chunk)],
      );
      const grants = chunk.flatMap((r) => r.labels.map((label) => ({ id: r.id, name: r.name, target: label, label })));
      await pg.query(
        `INSERT INTO keystone_grants (keystone_user_id, user_name, kind, target, label)
         SELECT g.id, g.name, 'role', g.target, g.label FROM jsonb_to_recordset($1::jsonb) AS g(id text, name text, target text, label text)`,
        [JSON.stringify(grants)],
      );
    }
    await pg.query('ANALYZE federated_users; ANALYZE keystone_grants');
    const [{ n }] = (await pg.query('SELECT count(*)::int AS n FROM federated_users')).rows;
    await pg.end();
    // Against v2 (now current and granted): back to v1 changes every experiment-0-to-9 user.
    const timings: number[] = [];
    let preview: any;
    for (let rep = 0; rep < 3; rep++) {
      const t1 = performance.now();
      const res = await api('POST', '/v1/mapping/preview', V1);
      if (res.status !== 200) throw new Error(`preview: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      timings.push(performance.now() - t1);
      preview = res.body;
    }
    timings.sort((a, b) => a - b);
    console.log(
      `preview of ${n} known users: ${fmt(timings[1] / 1000, 2)} s median of 3 over HTTP (service-side ${fmt(preview.milliseconds / 1000, 2)} s; ` +
        `${preview.changed} users changed, ${preview.gained} gained, ${preview.lost} lost, ${preview.loseAllAccess.length} lose all access)  (target < 5 s)`,
    );
    return [
      { name: 'rollout.apply_ms_per_user', value: perUserMs, baseline: null, unit: 'ms', target: null },
      { name: 'rollout.apply_keystone_calls_per_user', value: calls / applyUsers, baseline: null, unit: 'calls', target: null },
      { name: 'rollout.preview_seconds', value: timings[1] / 1000, baseline: preview.milliseconds / 1000, unit: 's', target: '< 5' },
    ];
  } finally {
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    await exited;
    await run(script, ['stop', ksDir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
