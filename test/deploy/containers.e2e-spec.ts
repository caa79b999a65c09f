import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/free-port';
import { peerAvailable } from '../support/peers';
import { samlEnv } from '../support/saml-fixtures';

/**
 * The container images (docker/*.Dockerfile) and the compose stack (docker/compose.yaml), built
 * and run with podman: the images (tagged per run, removed after) install the release tarballs
 * built here, on the local equivalent of node:20-bookworm-slim (test/peers/podman.sh base: this
 * machine cannot pull), and the stack takes the PostgreSQL stand-in in place of postgres:16. Same
 * Dockerfiles and compose file as operators use; only the image variables differ.
 */
const REPO = join(__dirname, '../..');
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const PODMAN = '/usr/bin/podman';
const COMPOSE_FILE = join(REPO, 'docker/compose.yaml');
const NODE_BASE = 'localhost/node:20-bookworm-slim';
const POSTGRES_STANDIN = 'localhost/postgres:16';
const MACPOOL_TOKEN = 'containers-e2e-admin-token-0123';
const AAI_TOKEN = 'containers-e2e-aai-token-012345';
// Unique per run: containers, volume and compose project never clash with a leftover or a neighbour.
const RUN_ID = randomBytes(3).toString('hex');
const STANDALONE = `macpool-e2e-${RUN_ID}`;
const STANDALONE_DATA = `macpool-e2e-data-${RUN_ID}`;
const PROJECT = `containers-e2e-${RUN_ID}`;
// Built without layer cache (the tarball is new each run), so nothing is gained by keeping them.
const IMAGE = { 'mac-pool': `localhost/mac-pool:e2e-${RUN_ID}`, 'aai-bridge': `localhost/aai-bridge:e2e-${RUN_ID}` };

const available = peerAvailable(
  'container image tests',
  'podman',
  [PODMAN, '/usr/bin/podman-compose', '/usr/sbin/runc', '/usr/sbin/debootstrap', '/etc/containers/containers.conf.d/50-test-peers.conf'],
  'podman.sh',
);
const peer = available ? describe : describe.skip;

const exec = promisify(execFile);

async function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await exec(cmd, args, { cwd: REPO, env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** Runs a command that may fail (cleanup, polling); resolves with its exit code and output. */
async function attempt(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  try {
    return { code: 0, out: await run(cmd, args, env) };
  } catch (err) {
    return { code: 1, out: String(err) };
  }
}

const podman = (...args: string[]) => run(PODMAN, args);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, ms: number, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(1000);
  }
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health/ready`)).status === 200;
  } catch {
    return false;
  }
}

peer('container images and the compose stack (podman)', () => {
  let tmp: string;
  let composeEnv: Record<string, string>;
  let macPoolUrl: string;
  let bridgeUrl: string;
  const seconds: Record<string, number> = {};

  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const result = await fn();
    seconds[step] = Math.round((Date.now() - t) / 100) / 10;
    return result;
  };
  const compose = (...args: string[]) => run('podman-compose', ['-p', PROJECT, '-f', COMPOSE_FILE, ...args], composeEnv);

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'containers-'));
    const release = join(tmp, 'release');
    await timed('release', () => run('bash', [join(REPO, 'scripts/release.sh'), '--no-build', '--no-deb', '--out', release]));
    await timed('base images', () => run('bash', [join(REPO, 'test/peers/podman.sh'), 'base']));
    for (const service of ['mac-pool', 'aai-bridge'] as const) {
      // --format docker keeps the HEALTHCHECK; --layers=false leaves no intermediate image behind.
      await timed(`build ${service}`, () =>
        podman(
          'build',
          '--quiet',
          '--format',
          'docker',
          '--layers=false',
          '--build-arg',
          `BASE=${NODE_BASE}`,
          '-f',
          join(REPO, `docker/${service}.Dockerfile`),
          '-t',
          IMAGE[service],
          release,
        ),
      );
    }
  }, 600_000);

  afterAll(async () => {
    await attempt(PODMAN, ['rm', '--force', '--time', '0', STANDALONE]);
    await attempt(PODMAN, ['volume', 'rm', '--force', STANDALONE_DATA]);
    if (composeEnv) {
      await attempt('podman-compose', ['-p', PROJECT, '-f', COMPOSE_FILE, 'down', '-v'], composeEnv);
      await attempt(PODMAN, ['network', 'rm', '--force', `${PROJECT}_default`]);
    }
    await attempt(PODMAN, ['rmi', IMAGE['mac-pool'], IMAGE['aai-bridge']]);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    console.log(`[containers] seconds per step: ${JSON.stringify(seconds)}`);
  }, 120_000);

  it('builds images that hold the release on the node base, with a health check and no root user', async () => {
    for (const service of ['mac-pool', 'aai-bridge'] as const) {
      const [image] = JSON.parse(await podman('image', 'inspect', IMAGE[service])) as {
        Config: { User: string; Cmd: string[] };
        Healthcheck?: { Test: string[] };
        Size: number;
      }[];
      expect(image.Config.User).toBe('node');
      expect(image.Healthcheck?.Test.join(' ')).toContain('/health/ready');
      expect(image.Config.Cmd).toEqual(['node', `/opt/${service}/current/dist/apps/${service}/src/main.js`]);
      // The installed release is this repository's version, run by node 20.
      const versions = await podman(
        'run',
        '--rm',
        '--read-only',
        IMAGE[service],
        'node',
        '-p',
        `process.versions.node + ' ' + require('/opt/${service}/current/package.json').version`,
      );
      expect(versions.trim()).toMatch(new RegExp(`^20\\.\\d+\\.\\d+ ${VERSION.replace(/\./g, '\\.')}$`));
      console.log(`[containers] ${IMAGE[service]}: ${Math.round(image.Size / 1e6)} MB`);
    }
  });

  it('runs mac-pool read-only as a non-root user, turns healthy, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    // Read-only root with no tmpfs of podman's own: only the embedded PostgreSQL (no DATABASE_URL)
    // writes, to its data volume and /tmp.
    await podman(
      'run',
      '--detach',
      '--name',
      STANDALONE,
      '--read-only',
      '--read-only-tmpfs=false',
      '--tmpfs',
      '/tmp',
      '--volume',
      `${STANDALONE_DATA}:/var/lib/mac-pool`,
      '--env',
      `MACPOOL_ADMIN_TOKEN=${MACPOOL_TOKEN}`,
      '--publish',
      `127.0.0.1:${port}:8080`,
      IMAGE['mac-pool'],
    );
    expect((await podman('exec', STANDALONE, 'id', '-u')).trim()).not.toBe('0');
    const write = await attempt(PODMAN, ['exec', STANDALONE, 'touch', '/opt/mac-pool/current/written']);
    expect(write.code).not.toBe(0);
    expect(write.out).toContain('Read-only file system');

    // No systemd here to run the check on its interval: run it until it passes, as the timer would.
    await timed('standalone healthy', () =>
      waitFor('mac-pool healthy', 120_000, async () => (await attempt(PODMAN, ['healthcheck', 'run', STANDALONE])).code === 0),
    );
    expect((await podman('inspect', '--format', '{{.State.Health.Status}}', STANDALONE)).trim()).toBe('healthy');
    expect((await fetch(`http://127.0.0.1:${port}/v1/pools`, { headers: { Authorization: `Bearer ${MACPOOL_TOKEN}` } })).status).toBe(200);

    const started = Date.now();
    await podman('stop', '--time', '10', STANDALONE);
    const stopMs = Date.now() - started;
    seconds['standalone stop'] = stopMs / 1000;
    expect(stopMs).toBeLessThan(5000); // well within the 10 s after which podman would SIGKILL
    expect((await podman('inspect', '--format', '{{.State.ExitCode}}', STANDALONE)).trim()).toBe('0');
    const logs = await podman('logs', STANDALONE);
    expect(logs).toContain('"reason":"SIGTERM"');
    expect(logs).toContain('"msg":"stopped"');
  }, 180_000);

  it('brings up PostgreSQL and both services with compose; an allocation through mac-pool reads back', async () => {
    const keys = join(tmp, 'keys');
    const [macPoolPort, bridgePort] = [await freePort(), await freePort()];
    const saml = samlEnv(mkdtempSync(join(tmp, 'saml-')), `http://127.0.0.1:${bridgePort}`);
    rmSync(keys, { recursive: true, force: true });
    // The names the compose file mounts, readable by the containers' user node.
    mkdirSync(keys, { mode: 0o755 });
    copyFileSync(saml.AAI_SP_KEY, join(keys, 'sp.key'));
    copyFileSync(saml.AAI_SP_CERT, join(keys, 'sp.crt'));
    copyFileSync(saml.AAI_IDP_METADATA, join(keys, 'idp-metadata.xml'));
    for (const f of readdirSync(keys)) chmodSync(join(keys, f), 0o644);
    chmodSync(tmp, 0o755);

    composeEnv = {
      POSTGRES_IMAGE: POSTGRES_STANDIN,
      NODE_BASE,
      MACPOOL_IMAGE: IMAGE['mac-pool'],
      AAI_BRIDGE_IMAGE: IMAGE['aai-bridge'],
      MACPOOL_PORT: String(macPoolPort),
      AAI_BRIDGE_PORT: String(bridgePort),
      AAI_KEYS_DIR: keys,
      AAI_PUBLIC_URL: saml.AAI_PUBLIC_URL,
      AAI_SECRET_KEY: saml.AAI_SECRET_KEY,
      POSTGRES_PASSWORD: `pg-${RUN_ID}`,
      MACPOOL_ADMIN_TOKEN: MACPOOL_TOKEN,
      AAI_ADMIN_TOKEN: AAI_TOKEN,
    };
    macPoolUrl = `http://127.0.0.1:${macPoolPort}`;
    bridgeUrl = `http://127.0.0.1:${bridgePort}`;
    await timed('compose up', () => compose('up', '-d'));
    await timed('stack ready', () =>
      waitFor('both services ready', 120_000, async () => (await ready(macPoolUrl)) && (await ready(bridgeUrl))),
    );

    const headers = { Authorization: `Bearer ${MACPOOL_TOKEN}`, 'Content-Type': 'application/json' };
    const pool = await fetch(`${macPoolUrl}/v1/pools`, { method: 'POST', headers, body: JSON.stringify({ name: 'containers' }) });
    expect(pool.status).toBe(201);
    const upload = await fetch(`${macPoolUrl}/v1/pools/containers/macs`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'text/plain' },
      body: '02:cc:00:00:00:01\n',
    });
    expect(await upload.json()).toMatchObject({ added: 1 });
    const allocated = await fetch(`${macPoolUrl}/v1/allocations`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ portId: `port-${RUN_ID}`, deviceId: 'vm-containers' }),
    });
    expect(allocated.status).toBe(201);
    expect(await allocated.json()).toMatchObject({ mac: '02:cc:00:00:00:01', pool: 'containers' });
    const readBack = await fetch(`${macPoolUrl}/v1/allocations/port-${RUN_ID}`, { headers });
    expect(readBack.status).toBe(200);
    expect(await readBack.json()).toMatchObject({ portId: `port-${RUN_ID}`, mac: '02:cc:00:00:00:01', pool: 'containers' });

    const bridgeReady = await fetch(`${bridgeUrl}/health/ready`);
    expect(bridgeReady.status).toBe(200);

    // Both services run as node on a read-only root, and write nothing even to the tmpfs podman
    // adds under --read-only (docker adds none).
    for (const service of ['mac-pool', 'aai-bridge']) {
      const container = `${PROJECT}_${service}_1`;
      expect((await podman('exec', container, 'id', '-u')).trim()).toBe('1000');
      expect((await podman('inspect', '--format', '{{.HostConfig.ReadonlyRootfs}}', container)).trim()).toBe('true');
      expect((await podman('exec', container, 'find', '/tmp', '/var/tmp', '-mindepth', '1')).trim()).toBe('');
    }
  }, 240_000);
});
