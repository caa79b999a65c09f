import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnService } from '../support/service-process';

/**
 * The operators' artefacts (npm run release): built once from the compiled tree (npm test builds
 * first), then unpacked, installed under a temporary root, upgraded, rolled back and started.
 */
const REPO = join(__dirname, '../..');
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const NEXT = `${VERSION}-next`;

let tmp: string;
let out: string;
let root: string;

function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** Unpacks a tarball under tmp and runs its install.sh with the given options. */
function unpackAndInstall(tarball: string, name: string, options: string[]): string {
  const dir = join(tmp, `unpacked-${name}`);
  rmSync(dir, { recursive: true, force: true });
  run('mkdir', ['-p', dir]);
  run('tar', ['-xzf', tarball, '-C', dir]);
  return run('bash', [join(dir, name, 'install.sh'), '--root', root, ...options]);
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'release-'));
  // Run as root, the embedded PostgreSQL drops to an unprivileged user who must reach its binaries.
  chmodSync(tmp, 0o755);
  out = join(tmp, 'release');
  root = join(tmp, 'root');
  run('bash', [join(REPO, 'scripts/release.sh'), '--no-build', '--out', out]);
  // A second version of the same code, to upgrade to and roll back from.
  run('bash', [join(REPO, 'scripts/release.sh'), '--no-build', '--no-deb', '--service', 'mac-pool', '--version', NEXT, '--out', out]);
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(['mac-pool', 'aai-bridge'])('the %s release', (service) => {
  const tarball = () => join(out, `${service}-${VERSION}.tar.gz`);

  it('has a tarball whose sha256 file verifies', () => {
    expect(existsSync(tarball())).toBe(true);
    const check = spawnSync('sha256sum', ['-c', `${service}-${VERSION}.tar.gz.sha256`], { cwd: out, encoding: 'utf8' });
    expect(check.stdout).toContain(': OK');
    expect(check.status).toBe(0);
  });

  it('holds only what runs: compiled code, production modules, agent, unit, env example, launcher, install.sh', () => {
    const entries = run('tar', ['-tzf', tarball()]).split('\n').filter(Boolean);
    const top = `${service}-${VERSION}/`;
    expect(entries.every((e) => e.startsWith(top))).toBe(true);
    const names = entries.map((e) => e.slice(top.length));
    for (const wanted of [
      `dist/apps/${service}/src/main.js`,
      `dist/console/${service}/index.html`,
      'dist/libs/platform/src/index.js',
      'node_modules/@nestjs/core/package.json',
      `share/ocf/${service}`,
      'share/ocf/nodejs-service.sh',
      `share/systemd/${service}.service`,
      'env.example',
      `bin/${service}`,
      'install.sh',
      'package.json',
    ]) {
      expect(names).toContain(wanted);
    }
    expect(names.filter((n) => /^(test|bench)\//.test(n) || /(^|\/)dist\/(test|bench)\//.test(n))).toEqual([]);
    expect(names.filter((n) => n.endsWith('.ts') && !n.startsWith('node_modules/'))).toEqual([]);
    for (const dev of ['jest', 'typescript', 'eslint', 'ts-jest', 'prettier', '@nestjs/testing', 'vite']) {
      expect(names.filter((n) => n.startsWith(`node_modules/${dev}/`))).toEqual([]);
    }
    expect(names.filter((n) => n.startsWith('dist/apps/') && n !== 'dist/apps/' && !n.startsWith(`dist/apps/${service}/`))).toEqual([]);
  });

  it('has an env example listing every variable of --help with secrets left empty', () => {
    const env = run('tar', ['-xzOf', tarball(), `${service}-${VERSION}/env.example`]);
    expect(env).toMatch(/^#HOST=127\.0\.0\.1$/m);
    expect(env).toMatch(/^#DB_POOL_SIZE=20$/m);
    const token = service === 'mac-pool' ? 'MACPOOL_ADMIN_TOKEN' : 'AAI_ADMIN_TOKEN';
    expect(env).toMatch(new RegExp(`^#${token}=$`, 'm'));
    expect(env).not.toMatch(/^[A-Z]/m); // nothing set: the unit's own Environment= lines still apply
  });

  it('has a Debian package with the same layout and a postinst creating the user', () => {
    const deb = join(out, `${service}_${VERSION}_amd64.deb`);
    const info = run('dpkg-deb', ['--info', deb]);
    expect(info).toContain(`Package: ${service}`);
    expect(info).toContain(`Version: ${VERSION}`);
    expect(info).toContain('postinst');
    expect(run('dpkg-deb', ['--info', deb, 'postinst'])).toContain('useradd --system');
    const contents = run('dpkg-deb', ['--contents', deb]);
    expect(contents).toContain(`./opt/${service}/${VERSION}/dist/apps/${service}/src/main.js`);
    expect(contents).toMatch(new RegExp(`\\./opt/${service}/current -> ${VERSION.replace(/\./g, '\\.')}`));
    expect(contents).toContain(`./lib/systemd/system/${service}.service`);
    expect(contents).toContain(`./usr/lib/ocf/resource.d/infn/${service}`);
    expect(contents).not.toContain('node_modules/jest/');
  });
});

describe('install.sh of mac-pool under --root', () => {
  const opt = () => join(root, 'opt/mac-pool');
  const envFile = () => join(root, 'etc/mac-pool/env');

  it('lays out the tree, upgrades, keeps the env file, rolls back, and the installed service starts', async () => {
    unpackAndInstall(join(out, `mac-pool-${VERSION}.tar.gz`), `mac-pool-${VERSION}`, []);
    expect(readlinkSync(join(opt(), 'current'))).toBe(VERSION);
    expect(existsSync(join(opt(), VERSION, 'dist/apps/mac-pool/src/main.js'))).toBe(true);
    expect(statSync(envFile()).mode & 0o777).toBe(0o600);
    const unit = readFileSync(join(root, 'etc/systemd/system/mac-pool.service'), 'utf8');
    expect(unit).toContain('ExecStart=/usr/bin/node /opt/mac-pool/current/dist/apps/mac-pool/src/main.js');
    expect(lstatSync(join(root, 'usr/lib/ocf/resource.d/infn/mac-pool')).mode & 0o111).not.toBe(0);
    expect(readFileSync(join(root, 'usr/lib/ocf/resource.d/infn/mac-pool'), 'utf8')).toContain(
      'DEFAULT_ENTRY=/opt/mac-pool/current/dist/apps/mac-pool/src/main.js',
    );

    // The operator's edits survive the upgrade.
    writeFileSync(envFile(), 'PORT=9999\n');
    unpackAndInstall(join(out, `mac-pool-${NEXT}.tar.gz`), `mac-pool-${NEXT}`, ['--upgrade']);
    expect(readlinkSync(join(opt(), 'current'))).toBe(NEXT);
    expect(existsSync(join(opt(), VERSION))).toBe(true);
    expect(readFileSync(envFile(), 'utf8')).toBe('PORT=9999\n');
    expect(statSync(envFile()).mode & 0o777).toBe(0o600);

    run('bash', [join(opt(), NEXT, 'install.sh'), '--root', root, '--rollback']);
    expect(readlinkSync(join(opt(), 'current'))).toBe(VERSION);

    const svc = await spawnService(
      { MACPOOL_DATA_DIR: join(tmp, 'data'), EMBEDDED_PG_PORT: String(await freePort()), PORT: String(await freePort()) },
      { main: join(opt(), 'current/dist/apps/mac-pool/src/main.js') },
    );
    try {
      expect((await fetch(`${svc.url}/health/ready`)).status).toBe(200);
      expect(svc.output()).not.toContain('/work/');
    } finally {
      await svc.stop('SIGTERM');
    }
  }, 120_000);

  it('refuses an upgrade or a rollback where nothing is installed', () => {
    const fresh = join(tmp, 'fresh-root');
    const dir = join(tmp, `unpacked-mac-pool-${NEXT}`, `mac-pool-${NEXT}`);
    const upgrade = spawnSync('bash', [join(dir, 'install.sh'), '--root', fresh, '--upgrade'], { encoding: 'utf8' });
    expect(upgrade.status).not.toBe(0);
    expect(upgrade.stderr).toContain('not installed yet');
    const rollback = spawnSync('bash', [join(dir, 'install.sh'), '--root', fresh, '--rollback'], { encoding: 'utf8' });
    expect(rollback.status).not.toBe(0);
  });
});
