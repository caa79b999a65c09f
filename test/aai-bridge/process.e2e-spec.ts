import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { samlEnv } from '../support/saml-fixtures';
import { spawnService, waitForExit } from '../support/service-process';

const AAI_MAIN = join(__dirname, '../../dist/apps/aai-bridge/src/main.js');

describe('aai-bridge process: configuration errors stop the start, naming the variable', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aai-proc-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints --help and exits 0 on a machine where nothing is configured yet', async () => {
    const help = spawnSync(process.execPath, [AAI_MAIN, '--help'], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('AAI_IDP_METADATA');
    expect(help.stderr).toBe('');
  });

  it('refuses to start without the required SAML settings', async () => {
    const svc = await spawnService({ DATABASE_URL: 'postgres://x@127.0.0.1:1/x' }, { waitReady: false, main: AAI_MAIN });
    expect(await waitForExit(svc.proc, 15000)).toBe(1);
    for (const name of [
      'AAI_PUBLIC_URL is required',
      'AAI_SP_KEY is required',
      'AAI_SP_CERT is required',
      'AAI_IDP_METADATA is required',
      'AAI_SECRET_KEY is required',
    ]) {
      expect(svc.output()).toContain(name);
    }
  });

  it('refuses a short secret key without showing it, and a key file that is not PEM', async () => {
    const env = samlEnv(dir, 'http://127.0.0.1:1');
    const short = await spawnService({ ...env, AAI_SECRET_KEY: 'too-short' }, { waitReady: false, main: AAI_MAIN });
    expect(await waitForExit(short.proc, 15000)).toBe(1);
    expect(short.output()).toContain('AAI_SECRET_KEY=(secret, not shown): must be at least 32 characters');
    expect(short.output()).not.toContain('too-short');
    writeFileSync(join(dir, 'not-a-key.pem'), 'hello');
    const bad = await spawnService(
      { ...env, AAI_SP_KEY: join(dir, 'not-a-key.pem'), DATABASE_URL: process.env.TEST_ADMIN_DATABASE_URL! },
      { waitReady: false, main: AAI_MAIN },
    );
    expect(await waitForExit(bad.proc, 30000)).toBe(1);
    expect(bad.output()).toContain(`AAI_SP_KEY=${join(dir, 'not-a-key.pem')}: not a PEM PRIVATE KEY`);
  });
});
