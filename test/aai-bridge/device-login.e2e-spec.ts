import { ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { parse as parseYaml } from 'yaml';
import { TestApp, startAaiBridge } from '../support/aai-bridge-app';
import { startBridgePeers } from '../support/bridge-peers';
import { KEYSTONE_ADMIN_PASSWORD, KeystonePeer, keystoneAvailable } from '../support/keystone';
import { Browser, formFields, loginAtIdp, postToAcs } from '../support/saml-login';
import { IdpPeer, idpAvailable } from '../support/simplesamlphp';

const openstackCli = '/usr/bin/openstack';
const peers =
  idpAvailable('device login e2e') && keystoneAvailable('device login e2e') && require('node:fs').existsSync(openstackCli)
    ? describe
    : describe.skip;

const RULES = {
  rules: [
    { local: [{ user: { name: '{0}@infn.it', email: '{1}' } }], remote: [{ type: 'uid' }, { type: 'mail' }] },
    { local: [{ projects: [{ name: 'cms', roles: [{ name: 'member' }] }] }], remote: [{ type: 'isMemberOf', any_one_of: ['infn:cms'] }] },
  ],
};

/**
 * `aai-bridge login` on a machine without a browser: the CLI in its own process, the browser side
 * (IdP login, approval) driven here, and the clouds.yaml it writes used by the real openstack
 * client against the real Keystone.
 */
peers('aai-bridge login: the device flow end to end (real IdP, real Keystone, openstack client)', () => {
  let dir: string;
  let keystone: KeystonePeer;
  let idp: IdpPeer;
  let t: TestApp;
  let publicUrl: string;
  let cmsId: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aai-device-'));
    const started = await startBridgePeers(dir);
    ({ publicUrl, keystone, idp } = started);
    const sp = started.sp;
    cmsId = (await keystone.admin('POST', '/projects', { project: { name: 'cms', domain_id: 'default' } })).body.project.id;
    await idp.setUsers({
      alice: { password: 'alice-pass', attributes: { uid: ['alice'], mail: ['alice@cnaf.infn.it'], isMemberOf: ['infn:cms'] } },
    });
    t = await startAaiBridge({
      AAI_PUBLIC_URL: publicUrl,
      AAI_SP_KEY: sp.key,
      AAI_SP_CERT: sp.cert,
      AAI_IDP_METADATA: idp.metadataUrl,
      KEYSTONE_URL: keystone.url,
      KEYSTONE_ADMIN_PASSWORD,
      AAI_APP_CREDENTIAL_DAYS: '3',
    });
    await t.app.listen(Number(new URL(publicUrl).port), '127.0.0.1');
    expect((await t.http.put('/v1/mapping').set(t.admin).send(RULES)).status).toBe(200);
  }, 240_000);

  afterAll(async () => {
    await t?.close();
    await Promise.all([idp?.stop(), keystone?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('logs the CLI in: code printed, approved in a browser, clouds.yaml written and used by openstack', async () => {
    const cloudsFile = join(dir, 'clouds.yaml');
    const cli: ChildProcess = spawn(
      process.execPath,
      [
        join(__dirname, '../../bin/aai-bridge.js'),
        'login',
        '--url',
        publicUrl,
        '--project',
        'cms',
        '--cloud',
        'infn-cms',
        '--clouds-file',
        cloudsFile,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    cli.stdout!.on('data', (d) => (out += d));
    cli.stderr!.on('data', (d) => (err += d));
    const exited = once(cli, 'exit');
    try {
      for (let i = 0; i < 100 && !/enter the code/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      const userCode = /enter the code ([A-Z]{4}-[A-Z]{4})/.exec(out)?.[1];
      expect(userCode).toBeDefined();
      expect(out).toContain(`open ${publicUrl}/device in any browser`);

      // The browser: the federation login, straight back to the code's approval page.
      const browser = new Browser();
      const post = await loginAtIdp(browser, publicUrl, 'alice', 'alice-pass', `/device?user_code=${userCode}`);
      const acs = await postToAcs(browser, `${publicUrl}/saml/acs`, post);
      expect(acs.status).toBe(303);
      expect(acs.headers.get('location')).toBe(`${publicUrl}/device?user_code=${userCode}`);
      const confirm = await browser.fetch(acs.headers.get('location')!);
      expect(confirm.status).toBe(200);
      const html = await confirm.text();
      expect(html).toContain(`<option value="${cmsId}" selected>cms (member)</option>`);
      const form = formFields(html);
      const approved = await browser.fetch(`${publicUrl}/device`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...form.fields, project: cmsId, decision: 'approve' }).toString(),
      });
      expect(approved.status).toBe(200);
      expect(await approved.text()).toContain('access to project cms');

      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, no) => (timer = setTimeout(() => no(new Error(`CLI still waiting: ${out}`)), 30_000)));
      const [code] = (await Promise.race([exited, timeout]).finally(() => clearTimeout(timer))) as [number];
      expect({ code, err }).toEqual({ code: 0, err: '' });
    } finally {
      if (cli.exitCode === null) cli.kill();
    }
    expect(out).toContain(`Logged in: cloud "infn-cms" (project cms`);
    expect((await stat(cloudsFile)).mode & 0o777).toBe(0o600);
    const cloud = parseYaml(await readFile(cloudsFile, 'utf8')).clouds['infn-cms'];
    expect(cloud).toMatchObject({ auth_type: 'v3applicationcredential', auth: { auth_url: keystone.url } });

    // The real openstack client, with only that file.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OS_')));
    const openstack = (...args: string[]) =>
      promisify(execFile)(openstackCli, ['--os-cloud', 'infn-cms', ...args, '-f', 'json'], {
        env: { ...env, OS_CLIENT_CONFIG_FILE: cloudsFile },
      });
    const token = JSON.parse((await openstack('token', 'issue')).stdout);
    expect(token.project_id).toBe(cmsId);
    expect(JSON.parse((await openstack('project', 'show', cmsId)).stdout)).toMatchObject({ id: cmsId, name: 'cms' });
    const alice = (await keystone.admin('GET', '/users?name=alice@infn.it')).body.users[0];
    const credentials = (await keystone.admin('GET', `/users/${alice.id}/application_credentials`)).body.application_credentials;
    expect(credentials).toHaveLength(1);
    // Bounded by AAI_APP_CREDENTIAL_DAYS (3 days).
    const days = (Date.parse(`${credentials[0].expires_at}Z`) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(2.9);
    expect(days).toBeLessThanOrEqual(3);
  }, 90_000);

  it('answers a poll faster than the interval with slow_down, and an unknown device code with invalid_grant', async () => {
    const started = await fetch(`${publicUrl}/device/code`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    const code = (await started.json()) as { device_code: string; interval: number; expires_in: number };
    expect(code).toMatchObject({ interval: 5, expires_in: 600 });
    const poll = async (deviceCode: string) => {
      const res = await fetch(`${publicUrl}/device/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: deviceCode }).toString(),
      });
      return { status: res.status, body: (await res.json()) as { error: string } };
    };
    expect(await poll(code.device_code)).toMatchObject({ status: 400, body: { error: 'authorization_pending' } });
    expect(await poll(code.device_code)).toMatchObject({ status: 400, body: { error: 'slow_down' } });
    expect(await poll('not-a-code')).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });
  it('purges codes expired over an hour ago (housekeeping, real database)', async () => {
    const { DevicePurgeJob } =
      require('../../apps/aai-bridge/src/device/device-purge.job') as typeof import('../../apps/aai-bridge/src/device/device-purge.job');
    const pg = new Client({ connectionString: t.databaseUrl });
    await pg.connect();
    try {
      const count = async () => (await pg.query('SELECT count(*)::int AS n FROM device_authorizations')).rows[0].n;
      const before = await count();
      expect(before).toBeGreaterThan(0);
      await pg.query(`UPDATE device_authorizations SET expires_at = now() - interval '2 hours'`);
      await fetch(`${publicUrl}/device/code`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      expect(await t.app.get(DevicePurgeJob).runOnce()).toMatchObject({ skipped: false, purged: { device_authorizations: before } });
      expect(await count()).toBe(1);
    } finally {
      await pg.end();
    }
  });
});
