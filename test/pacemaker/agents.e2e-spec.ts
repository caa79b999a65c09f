import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../support/database';
import { peerAvailable } from '../support/peers';
import { samlEnv } from '../support/saml-fixtures';
import { freePort } from '../support/service-process';

const ROOT = join(__dirname, '../..');
const AGENTS = join(ROOT, 'deploy/pacemaker/agents');
const TOKEN = 'ocf-agent-admin-token-0123456';
const tools = peerAvailable(
  'OCF agent tests',
  'Pacemaker tools',
  ['/usr/sbin/ocf-tester', '/usr/sbin/crm_resource', '/usr/bin/xmllint'],
  'pacemaker.sh',
);
const peer = tools ? describe : describe.skip;

interface AgentCase {
  agent: 'mac-pool' | 'aai-bridge';
  entry: string;
  env(dir: string, port: number, databaseUrl: string): Record<string, string>;
}

const CASES: AgentCase[] = [
  {
    agent: 'mac-pool',
    entry: join(ROOT, 'dist/apps/mac-pool/src/main.js'),
    env: (_dir, port, databaseUrl) => ({ PORT: String(port), DATABASE_URL: databaseUrl, MACPOOL_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'warn' }),
  },
  {
    agent: 'aai-bridge',
    entry: join(ROOT, 'dist/apps/aai-bridge/src/main.js'),
    env: (dir, port, databaseUrl) => ({
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      AAI_ADMIN_TOKEN: TOKEN,
      LOG_LEVEL: 'warn',
      ...samlEnv(dir, `http://127.0.0.1:${port}`),
    }),
  },
];

/** The agents checked by Pacemaker's own tools: the DTD, ocf-tester, and crm_resource's --force-*. */
peer('OCF resource agents', () => {
  beforeAll(() => {
    execFileSync(join(ROOT, 'deploy/pacemaker/install-agents.sh'), ['infn']);
  });

  for (const c of CASES) {
    describe(c.agent, () => {
      let dir: string;
      let options: Record<string, string>;
      let db: Awaited<ReturnType<typeof createTestDatabase>>;

      beforeAll(async () => {
        // ocf-tester runs some actions as nobody: the dir must be open to it.
        dir = mkdtempSync(join(tmpdir(), `ocf-${c.agent}-`));
        chmodSync(dir, 0o777);
        db = await createTestDatabase();
        const port = await freePort();
        const envFile = join(dir, 'env');
        writeFileSync(
          envFile,
          Object.entries(c.env(dir, port, db.url))
            .map(([k, v]) => `${k}='${v}'`)
            .join('\n') + '\n',
          { mode: 0o644 },
        );
        for (const f of ['sp.key', 'sp.crt', 'stub-idp.key', 'stub-idp.crt', 'idp-metadata.xml']) spawnSync('chmod', ['644', join(dir, f)]);
        options = {
          entry: c.entry,
          env_file: envFile,
          pid: join(dir, `${c.agent}.pid`),
          log_file: join(dir, `${c.agent}.log`),
          health_url: `http://127.0.0.1:${port}/health/ready`,
          monitor_token: TOKEN,
        };
      });
      afterAll(async () => {
        spawnSync(join(AGENTS, c.agent), ['stop'], { env: { ...process.env, OCF_ROOT: '/usr/lib/ocf', ...ocfEnv(options) } });
        await db.drop();
        rmSync(dir, { recursive: true, force: true });
      });

      it('meta-data is valid against ra-api-1.dtd', () => {
        const xml = execFileSync(join(AGENTS, c.agent), ['meta-data'], { env: { ...process.env, OCF_ROOT: '/usr/lib/ocf' } });
        const file = join(dir, 'meta-data.xml');
        writeFileSync(file, xml);
        const check = spawnSync('xmllint', ['--noout', '--dtdvalid', '/usr/share/resource-agents/ra-api-1.dtd', file], {
          encoding: 'utf8',
        });
        // (xmllint warns that the DOCTYPE's relative DTD path does not resolve: --dtdvalid names it.)
        expect(check.stderr).not.toMatch(/validity error|does not follow the DTD/);
        expect(check.status).toBe(0);
      });

      it('passes ocf-tester', () => {
        const args = ['-n', `test-${c.agent}`, ...Object.entries(options).flatMap(([k, v]) => ['-o', `${k}=${v}`]), join(AGENTS, c.agent)];
        const run = spawnSync('ocf-tester', args, { encoding: 'utf8', timeout: 180_000 });
        expect(run.stdout + run.stderr).toContain('passed all tests');
        expect(run.status).toBe(0);
      });

      it("runs through crm_resource's validate, force-start, force-check and force-stop", () => {
        const crm = (action: string) =>
          spawnSync(
            'crm_resource',
            [
              `--${action}`,
              '--class',
              'ocf',
              '--provider',
              'infn',
              '--agent',
              c.agent,
              ...Object.entries(options).flatMap(([k, v]) => ['--option', `${k}=${v}`]),
            ],
            { encoding: 'utf8', timeout: 120_000 },
          ).status;
        expect(crm('validate')).toBe(0);
        expect(crm('force-start')).toBe(0);
        expect(crm('force-check')).toBe(0);
        expect(crm('force-stop')).toBe(0);
        expect(crm('force-check')).toBe(7); // OCF_NOT_RUNNING
      });

      it('says what is wrong when the service is not installed (OCF_ERR_INSTALLED; probes: not running)', () => {
        const run = spawnSync(join(AGENTS, c.agent), ['validate-all'], {
          encoding: 'utf8',
          env: { ...process.env, OCF_ROOT: '/usr/lib/ocf', ...ocfEnv({ ...options, entry: '/nonexistent/main.js' }) },
        });
        expect(run.status).toBe(5);
        expect(run.stderr + run.stdout).toContain('entry /nonexistent/main.js is not readable');
        const monitor = (interval: string) =>
          spawnSync(join(AGENTS, c.agent), ['monitor'], {
            env: {
              ...process.env,
              OCF_ROOT: '/usr/lib/ocf',
              OCF_RESKEY_CRM_meta_interval: interval,
              ...ocfEnv({ ...options, entry: '/nonexistent/main.js' }),
            },
          }).status;
        expect(monitor('0')).toBe(7); // a probe: not installed here, so not running
        expect(monitor('10000')).toBe(5); // a recurring monitor: the configuration error
      });
    });
  }
});

const ocfEnv = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [`OCF_RESKEY_${k}`, v]));
