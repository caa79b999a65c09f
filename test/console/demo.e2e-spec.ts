import { ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BrowserContext, chromium } from 'playwright-core';
import { parse as parseYaml } from 'yaml';
import { CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, VIEWPORT, chromiumAvailable } from './browser';
import { keystoneAvailable } from '../support/keystone';
import { idpAvailable } from '../support/simplesamlphp';

const DEMO = join(__dirname, '../../dist-tools/scripts/demo.js');
const SUITE = 'npm run demo';
const run = keystoneAvailable(SUITE) && idpAvailable(SUITE) && chromiumAvailable(SUITE) ? describe : describe.skip;
const execFileAsync = promisify(execFile);

/** What the demo printed, read the way a user reads it. */
interface Printed {
  macPoolApi: string;
  macPoolConsole: string;
  loginUrl: string;
  bridgeConsole: string;
  keystoneUrl: string;
  idpUrl: string;
  databases: string[];
  users: Array<{ username: string; password: string; lands: string }>;
  macPoolToken: string;
  bridgeToken: string;
  curl: string;
  dataDir: string;
}

/** The lines under a heading the demo printed, up to the blank line that ends them. */
function section(out: string, heading: string): string {
  const start = out.indexOf(`\n${heading}`);
  if (start < 0) throw new Error(`the demo printed no "${heading}" section:\n${out}`);
  const body = out.slice(out.indexOf('\n', start + 1) + 1);
  return body.slice(0, body.indexOf('\n\n'));
}

function field(lines: string, label: string): string {
  const m = new RegExp(`^  ${label} +(\\S+)`, 'm').exec(lines);
  if (!m) throw new Error(`no "${label}" line in:\n${lines}`);
  return m[1];
}

function parsePrinted(out: string): Printed {
  const running = section(out, 'Running');
  const tokens = section(out, 'Admin tokens');
  return {
    macPoolApi: field(running, 'mac-pool API'),
    macPoolConsole: field(running, 'mac-pool console'),
    loginUrl: field(running, 'aai-bridge login'),
    bridgeConsole: field(running, 'aai-bridge console'),
    keystoneUrl: field(running, 'Keystone'),
    idpUrl: field(running, 'SAML IdP'),
    databases: [...(/^ {2}PostgreSQL .*$/m.exec(running)?.[0] ?? '').matchAll(/127\.0\.0\.1:\d+/g)].map((m) => m[0]),
    users: [...section(out, 'Users').matchAll(/^ {2}(\w+) \/ (\S+) +→ (.+)$/gm)].map((m) => ({
      username: m[1],
      password: m[2],
      lands: m[3],
    })),
    macPoolToken: field(tokens, 'mac-pool'),
    bridgeToken: field(tokens, 'aai-bridge'),
    curl: /^ +(curl .+)$/m.exec(section(out, 'Try it'))?.[1] ?? '',
    dataDir: /^Logs and data: (\S+)/m.exec(out)?.[1] ?? '',
  };
}

/** Whether something accepts connections on the URL's port (the address a user would use). */
function answers(hostPort: string): Promise<boolean> {
  const { hostname, port } = new URL(hostPort.includes('://') ? hostPort : `tcp://${hostPort}`);
  return new Promise((done) => {
    const socket = connect(Number(port), hostname)
      .once('connect', () => {
        socket.destroy();
        done(true);
      })
      .once('error', () => done(false));
  });
}

/** Every process whose ancestry leads to `root` (the demo's services and their PostgreSQL servers). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = (() => {
      try {
        return readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        return '';
      }
    })();
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parent.set(Number(entry), ppid);
  }
  return [...parent.keys()].filter((pid) => {
    for (let p = parent.get(pid); p; p = parent.get(p)) if (p === root) return true;
    return false;
  });
}

/** The PIDs listening on these ports (the peers run in sessions of their own, not under the demo). */
function listeners(ports: string[]): number[] {
  const out = spawnSync('ss', ['-Hltnp'], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .filter((line) => ports.some((port) => line.includes(`127.0.0.1:${port} `)))
    .flatMap((line) => [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !/^\d+ \(.*\) Z/.test(existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '');
};

/** Runs the demo to its end (it must end by itself) and returns its exit code and output. */
async function runToExit(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [DEMO, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const [code] = await once(child, 'exit');
  return { code, out };
}

run('npm run demo: options', () => {
  it('--help lists the port flags with their environment variables and exits 0', async () => {
    const { code, out } = await runToExit(['--help']);
    expect(code).toBe(0);
    for (const flag of ['--mac-pool-port', '--bridge-port', '--keystone-port', '--idp-port']) expect(out).toContain(flag);
    expect(out).toContain('DEMO_MACPOOL_PORT');
  });

  it('refuses a port the user chose that is taken, naming the flag, before starting anything', async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as AddressInfo;
    try {
      const { code, out } = await runToExit(['--mac-pool-port', String(port)]);
      expect(code).toBe(1);
      expect(out).toContain(`port ${port} for mac-pool is taken; choose another with --mac-pool-port`);
      expect(out).not.toContain('starting Keystone');
    } finally {
      holder.close();
    }
  });
});

run('npm run demo: Ctrl-C while Keystone is still starting', () => {
  it('stops what already runs and what is still starting: exit 0, ports closed, no process left', async () => {
    const demo = spawn(process.execPath, [DEMO, '--mac-pool-port', '0', '--bridge-port', '0', '--keystone-port', '0', '--idp-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    demo.stdout!.on('data', (d) => (out += d));
    demo.stderr!.on('data', (d) => (out += d));
    // The IdP is up in seconds, Keystone's bootstrap takes far longer: stop in between.
    while (!out.includes('the IdP is up')) {
      if (demo.exitCode !== null) throw new Error(`the demo exited (${demo.exitCode}):\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(out).not.toContain('Keystone is up');
    const ports = /starting Keystone on port (\d+).*the IdP on (\d+), mac-pool on (\d+)/.exec(out)!.slice(1);
    const started = [...new Set([...descendants(demo.pid!), ...listeners(ports)])];
    expect(started.length).toBeGreaterThanOrEqual(3); // the Keystone script, php, mac-pool at least

    const exited = once(demo, 'exit');
    demo.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(out).not.toContain('demo ready');
    for (const port of ports) expect(await answers(`127.0.0.1:${port}`)).toBe(false);
    expect(started.filter(alive)).toEqual([]);
  }, 120_000);
});

run('npm run demo: one command, the SSO login in Chromium, a MAC, a clouds.yaml, and Ctrl-C', () => {
  let demo: ChildProcess;
  let out = '';
  let printed: Printed;
  let startedIn = 0;

  beforeAll(async () => {
    if (!existsSync(DEMO)) throw new Error(`${DEMO} missing: run npm run build && npm run build:tools first`);
    const t0 = Date.now();
    // Any free ports: a developer's own demo (or mac-pool) may hold the defaults.
    demo = spawn(process.execPath, [DEMO, '--mac-pool-port', '0', '--bridge-port', '0', '--keystone-port', '0', '--idp-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (d) => (out += d));
    demo.stderr!.on('data', (d) => (out += d));
    const exited = once(demo, 'exit').then(([code]) => {
      throw new Error(`the demo exited (${code}) before it was ready:\n${out}`);
    });
    const ready = (async () => {
      while (!out.includes('demo ready')) await new Promise((r) => setTimeout(r, 200));
    })();
    await Promise.race([ready, exited]);
    startedIn = Date.now() - t0;
    printed = parsePrinted(out);
  }, 420_000);

  afterAll(async () => {
    if (demo && demo.exitCode === null && demo.signalCode === null) {
      demo.kill('SIGTERM');
      await once(demo, 'exit');
    }
  }, 120_000);

  it('prints the URLs, the users, the admin tokens and a working curl line, and says ready', async () => {
    console.log(`demo ready in ${(startedIn / 1000).toFixed(1)} s`);
    expect(printed.loginUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/saml\/login\?returnTo=\/cli$/);
    expect(printed.macPoolConsole).toBe(`${new URL(printed.macPoolApi).origin}/admin/`);
    expect(printed.bridgeConsole).toBe(`${new URL(printed.loginUrl).origin}/admin/`);
    expect(printed.databases).toHaveLength(2);
    expect(printed.users.map((u) => u.username)).toEqual(['alice', 'bob']);
    expect(printed.users[0].lands).toContain('demo (member)');
    expect(out).toContain('openstack --os-cloud demo token issue');
    // Each printed URL answers, and each token is the one its service takes.
    expect((await fetch(`${printed.keystoneUrl}`)).status).toBe(200);
    expect((await fetch(`${printed.idpUrl}saml2/idp/metadata.php`)).status).toBe(200);
    for (const [origin, token] of [
      [new URL(printed.macPoolApi).origin, printed.macPoolToken],
      [new URL(printed.loginUrl).origin, printed.bridgeToken],
    ]) {
      expect((await fetch(`${origin}/admin/`)).status).toBe(200);
      expect((await fetch(`${origin}/v1/tokens`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    }
  });

  it('allocates a MAC of the example pool with the printed curl line, pasted into a shell', async () => {
    const { stdout } = await execFileAsync('bash', ['-c', printed.curl]);
    const allocation = JSON.parse(stdout);
    expect(allocation).toMatchObject({ portId: 'demo-port-1', pool: 'demo', state: 'reserved' });
    expect(allocation.mac).toMatch(/^02:00:5e:10:00:0[0-9a-f]$/);
    // Run again: the same port keeps its MAC.
    expect(JSON.parse((await execFileAsync('bash', ['-c', printed.curl])).stdout).mac).toBe(allocation.mac);
  });

  it('logs alice in through the IdP in Chromium, shows her Keystone projects, and hands out a clouds.yaml that openstack token issue accepts', async () => {
    const bridge = new URL(printed.loginUrl).origin;
    const idp = new URL(printed.idpUrl).origin;
    const profile = await mkdtemp(join(tmpdir(), 'demo-chromium-'));
    let context: BrowserContext | undefined;
    try {
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        viewport: VIEWPORT,
        acceptDownloads: true,
        args: CHROMIUM_ARGS,
      });
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(30_000);
      // The login crosses two origins, the bridge and the IdP; nothing else may be asked for.
      const foreign: string[] = [];
      const problems: string[] = [];
      page.on('request', (r) => {
        const url = r.url();
        if (![bridge, idp].some((o) => url.startsWith(`${o}/`)) && !url.startsWith('data:')) foreign.push(url);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(`csp: ${m.text()}`);
      });

      const alice = printed.users[0];
      await page.goto(printed.loginUrl);
      expect(page.url().startsWith(`${idp}/`)).toBe(true);
      await page.locator('input[name="username"]').fill(alice.username);
      await page.locator('input[name="password"]').fill(alice.password);
      await page.locator('input[name="password"]').press('Enter');
      // The IdP answers with a form that posts the assertion to the bridge, which redirects to /cli.
      await page.waitForURL(`${bridge}/cli`);
      const rows = page.locator('table tr');
      await rows.first().waitFor();
      expect(await page.locator('h1').textContent()).toBe('Alice Rossi');
      const projects = await page.locator('table tr td:first-child').allTextContents();
      expect(projects.sort()).toEqual(['demo', 'physics']);
      const demoRow = page.locator('tr', { has: page.locator('td', { hasText: /^demo$/ }) });
      expect(await demoRow.locator('td').nth(1).textContent()).toBe('member');
      await mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'demo-sso-projects.png') });

      const [download] = await Promise.all([page.waitForEvent('download'), demoRow.getByRole('button', { name: 'clouds.yaml' }).click()]);
      const cloudsFile = join(profile, 'clouds.yaml');
      await download.saveAs(cloudsFile);
      expect(Object.keys(parseYaml(readFileSync(cloudsFile, 'utf8')).clouds)).toEqual(['demo']);
      const { stdout } = await execFileAsync('openstack', ['--os-cloud', 'demo', 'token', 'issue', '-f', 'json'], {
        env: { ...process.env, OS_CLIENT_CONFIG_FILE: cloudsFile },
        timeout: 90_000,
      });
      expect(JSON.parse(stdout).id).toMatch(/^\S{20,}$/);

      expect(foreign).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await context?.close();
      await rm(profile, { recursive: true, force: true });
    }
  }, 180_000);

  it('stops everything on SIGINT: exit 0, every port closed, no process left, the data dir gone', async () => {
    const ports = [printed.macPoolApi, printed.loginUrl, printed.keystoneUrl, printed.idpUrl].map((u) => new URL(u).port);
    ports.push(...printed.databases.map((d) => d.split(':')[1]));
    for (const port of ports) expect(await answers(`127.0.0.1:${port}`)).toBe(true);
    const started = [...new Set([...descendants(demo.pid!), ...listeners(ports)])];
    // Two services, two PostgreSQL servers (and their workers), uwsgi, php.
    expect(started.length).toBeGreaterThanOrEqual(6);

    const exited = once(demo, 'exit');
    demo.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(out).toMatch(/SIGINT: stopping everything[\s\S]*stopped/);
    for (const port of ports) expect(await answers(`127.0.0.1:${port}`)).toBe(false);
    expect(started.filter(alive)).toEqual([]);
    expect(existsSync(printed.dataDir)).toBe(false);
  }, 120_000);
});
