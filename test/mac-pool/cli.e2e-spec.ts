import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatMac } from '@app/mac';
import { createTestDatabase } from '../support/database';
import { ServiceProcess, spawnService } from '../support/service-process';

const TOKEN = 'cli-admin-token-0123456789abc';
const CLI = join(__dirname, '../../bin/macpool.js');

describe('macpool CLI against a running service', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let svc: ServiceProcess;
  let dir: string;
  const run = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', MACPOOL_URL: svc.url, MACPOOL_TOKEN: TOKEN, ...env },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    svc = await spawnService({ DATABASE_URL: db.url, MACPOOL_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'warn' });
    dir = await mkdtemp(join(tmpdir(), 'macpool-cli-'));
  });
  afterAll(async () => {
    await svc.stop();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates and lists pools', () => {
    const created = run(['pools', 'create', 'farm', '--priority', '20', '--network', 'net-1', '--network', 'net-2', '--quarantine', '60']);
    expect(created).toMatchObject({ code: 0 });
    expect(created.out).toContain('created pool farm (priority 20, scope networks=net-1,net-2)');
    const list = run(['pools', 'list']);
    expect(list.out).toMatch(/NAME\s+PRIORITY\s+FREE/);
    expect(list.out).toMatch(/farm\s+20\s+0/);
    const asJson = JSON.parse(run(['--json', 'pools', 'list']).out);
    expect(asJson[0].scope.networkIds).toEqual(['net-1', 'net-2']);
  });

  it('uploads a CSV with progress, then shows a MAC, its history and stats', async () => {
    expect(run(['pools', 'create', 'wn-farm', '--network', 'net-1']).code).toBe(0);
    const file = join(dir, 'wn-farm.csv');
    const rows = ['mac,hostname,description'];
    for (let i = 0; i < 20000; i++) rows.push(`${formatMac(0x02bb00000000 + i)},wn-${i},node ${i}`);
    await writeFile(file, rows.join('\n'));
    const dry = run(['upload', 'wn-farm', file, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('dry run, nothing written: would have added 20000');
    const up = run(['upload', 'wn-farm', file]);
    expect(up.code).toBe(0);
    expect(up.err).toMatch(/uploading: [\d.]+ \/ [\d.]+ MiB \(100%\)/);
    expect(up.out).toContain('added 20000, updated 0, removed 0, unchanged 0');

    const show = run(['show', '02-BB-00-00-00-07']);
    expect(show.out).toMatch(/hostname\s+wn-7/);
    expect(show.out).toMatch(/state\s+free/);

    const alloc = await fetch(`${svc.url}/v1/allocations`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ portId: 'p-cli', networkId: 'net-1', hostname: 'wn-7', deviceId: 'vm-cli' }),
    });
    expect(((await alloc.json()) as { mac: string }).mac).toBe('02:bb:00:00:00:07');
    const history = run(['history', '02:bb:00:00:00:07', '--at', new Date(Date.now() + 60000).toISOString()]);
    expect(history.out).toMatch(/reserved\s+p-cli\s+vm-cli/);
    expect(history.out).toContain('held by port p-cli (device vm-cli');

    const stats = run(['stats']);
    expect(stats.out).toMatch(/wn-farm\s+19999\s+1\s+0\s+0\s+20000/);
    expect(stats.out).toMatch(/TOTAL\s+19999\s+1/);
  });

  it('prints every bad line readably and exits non-zero', async () => {
    const file = join(dir, 'bad.txt');
    await writeFile(file, '02:cc:00:00:00:01\nnot a mac\n01:00:5e:00:00:01\n');
    expect(run(['pools', 'create', 'bad-lines']).code).toBe(0);
    const r = run(['upload', 'bad-lines', file]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('2 bad lines in the upload');
    expect(r.err).toContain('line 2: not a mac: mac: not a MAC address');
    expect(r.err).toContain('line 3: 01:00:5e:00:00:01: mac: multicast address');
  });

  it('explains a missing token and an unreachable service', () => {
    const noToken = run(['pools', 'list'], { MACPOOL_TOKEN: '' });
    expect(noToken.code).toBe(2);
    expect(noToken.err).toContain('MACPOOL_TOKEN');
    const down = run(['pools', 'list'], { MACPOOL_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(1);
    expect(down.err).toContain('cannot reach mac-pool at http://127.0.0.1:9');
  });
});
