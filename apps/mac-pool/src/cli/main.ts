import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ApiFailure, MacPoolClient } from './api-client';

/** `macpool`: the administrators' command line over the REST API. */
const program = new Command('macpool')
  .description('Manage MAC pools for OpenStack ports (talks to the mac-pool REST API)')
  .addHelpText(
    'after',
    `
Environment:
  MACPOOL_URL         base URL of the service (default http://127.0.0.1:8080)
  MACPOOL_TOKEN       bearer token (admin for writes; reader is enough to read)
  MACPOOL_TOKEN_FILE  file holding the token, used when MACPOOL_TOKEN is unset

Examples:
  macpool pools create tier1 --priority 50 --network 3f0c... --quarantine 86400
  macpool upload tier1 macs.csv --dry-run
  macpool upload tier1 macs.txt --replace
  macpool history 02:00:00:00:00:01 --at 2026-11-01T12:00:00Z`,
  )
  .option('--json', 'print raw JSON instead of tables');

function client(): MacPoolClient {
  const url = process.env.MACPOOL_URL ?? 'http://127.0.0.1:8080';
  let token = process.env.MACPOOL_TOKEN;
  if (!token && process.env.MACPOOL_TOKEN_FILE) token = readFileSync(process.env.MACPOOL_TOKEN_FILE, 'utf8').trim();
  if (!token)
    fail('no token: set MACPOOL_TOKEN (or MACPOOL_TOKEN_FILE); `npm start` writes the first admin token to .data/mac-pool/admin-token', 2);
  return new MacPoolClient(url, token);
}

const json = () => program.opts().json as boolean;
const print = (value: unknown, human: () => string) => process.stdout.write(`${json() ? JSON.stringify(value, null, 2) : human()}\n`);

function fail(message: string, code = 1): never {
  process.stderr.write(`macpool: ${message}\n`);
  process.exit(code);
}

function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

const integer = (v: string) => {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError('must be an integer');
  return Number(v);
};
const collect = (v: string, prev: string[] = []) => [...prev, v];

interface PoolView {
  name: string;
  priority: number;
  scope: { networkIds: string[]; projectIds: string[]; availabilityZones: string[] };
  counts: Record<string, number>;
  quarantineSeconds: number;
  reservationTtlSeconds: number;
}

const pools = program.command('pools').description('create, list, show and delete pools');

pools
  .command('list')
  .description('list pools with their MAC counts')
  .action(async () => {
    const list = await client().request<PoolView[]>('GET', '/v1/pools');
    print(list, () =>
      table(
        list.map((p) => ({
          name: p.name,
          priority: p.priority,
          free: p.counts.free,
          reserved: p.counts.reserved,
          allocated: p.counts.allocated,
          quarantined: p.counts.quarantined,
          total: p.counts.total,
          scope: scopeText(p.scope),
        })),
        ['name', 'priority', 'free', 'reserved', 'allocated', 'quarantined', 'total', 'scope'],
      ),
    );
  });

pools
  .command('create <name>')
  .description('create a pool')
  .option('--description <text>')
  .option('--priority <n>', 'higher is tried first', integer)
  .option('--network <id>', 'admit ports of this network (repeatable; none = any)', collect)
  .option('--project <id>', 'admit ports of this project (repeatable; none = any)', collect)
  .option('--az <zone>', 'admit ports of this availability zone (repeatable; none = any)', collect)
  .option('--quarantine <seconds>', 'time a released MAC rests before reuse', integer)
  .option('--ttl <seconds>', 'reservation lifetime without commit', integer)
  .option('--allow-universal', 'accept universally administered (vendor) MACs')
  .action(async (name: string, o) => {
    const body = {
      name,
      description: o.description,
      priority: o.priority,
      scope: { networkIds: o.network, projectIds: o.project, availabilityZones: o.az },
      quarantineSeconds: o.quarantine,
      reservationTtlSeconds: o.ttl,
      allowUniversal: o.allowUniversal,
    };
    const pool = await client().request<PoolView>('POST', '/v1/pools', body);
    print(pool, () => `created pool ${pool.name} (priority ${pool.priority}, scope ${scopeText(pool.scope)})`);
  });

pools.command('show <name>').action(async (name: string) => {
  const p = await client().request<PoolView>('GET', `/v1/pools/${encodeURIComponent(name)}`);
  print(p, () => JSON.stringify(p, null, 2));
});

pools
  .command('delete <name>')
  .option('--force', 'also drop reserved/allocated MACs')
  .action(async (name: string, o) => {
    await client().request('DELETE', `/v1/pools/${encodeURIComponent(name)}${o.force ? '?force=true' : ''}`);
    print({ deleted: name }, () => `deleted pool ${name}`);
  });

const FORMATS: Record<string, string> = { text: 'text/plain', csv: 'text/csv', json: 'application/json' };

program
  .command('upload <pool> <file>')
  .description(
    'add the MACs of a file to a pool (text: MAC or first-last per line; csv: header with mac[,hostname,ipv4,ipv6,description]; json)',
  )
  .option('--replace', 'make the pool equal to the file (removes free MACs not listed)')
  .option('--dry-run', 'report what would change, write nothing')
  .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(Object.keys(FORMATS)))
  .action(async (pool: string, file: string, o) => {
    const format = o.format ?? ({ '.csv': 'csv', '.json': 'json' } as Record<string, string>)[extname(file).toLowerCase()] ?? 'text';
    const query = o.dryRun ? '?dryRun=true' : '';
    const path = `/v1/pools/${encodeURIComponent(pool)}/macs${query}`;
    const progress = new Progress();
    const c = client();
    const result = await c.upload<Record<string, number>>(o.replace ? 'PUT' : 'POST', path, file, FORMATS[format], (sent, total) =>
      progress.update(sent, total),
    );
    progress.done();
    print(
      result,
      () =>
        `${o.dryRun ? 'dry run, nothing written: would have ' : ''}added ${result.added}, updated ${result.updated}, removed ${result.removed}, unchanged ${result.unchanged}`,
    );
  });

program
  .command('show <mac>')
  .description('a MAC: pool, state, port, metadata')
  .action(async (mac: string) => {
    const m = await client().request<Record<string, unknown>>('GET', `/v1/macs/${encodeURIComponent(mac)}`);
    print(m, () =>
      Object.entries(m)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => `${k.padEnd(15)} ${v instanceof Object ? JSON.stringify(v) : v}`)
        .join('\n'),
    );
  });

program
  .command('history <mac>')
  .description('every state change of a MAC; --at tells which port held it then')
  .option('--at <time>', 'ISO 8601 time')
  .action(async (mac: string, o) => {
    const h = await client().request<{ events: Array<Record<string, unknown>>; at?: { holder: Record<string, unknown> | null } }>(
      'GET',
      `/v1/macs/${encodeURIComponent(mac)}/history${o.at ? `?at=${encodeURIComponent(o.at)}` : ''}`,
    );
    print(h, () => {
      const events = table(
        h.events.map((e) => ({ ...e, at: new Date(e.at as string).toISOString() })),
        ['at', 'action', 'portId', 'deviceId', 'projectId', 'networkId', 'actor'],
      );
      if (!h.at) return events;
      const who = h.at.holder
        ? `port ${h.at.holder.portId} (device ${h.at.holder.deviceId ?? '-'}, project ${h.at.holder.projectId ?? '-'})`
        : 'nobody';
      return `${events}\n\nat ${o.at}: held by ${who}`;
    });
  });

program
  .command('stats')
  .description('MAC counts by state, per pool and in total')
  .action(async () => {
    const s = await client().request<{ pools: Array<{ name: string; counts: Record<string, number> }>; totals: Record<string, number> }>(
      'GET',
      '/v1/stats',
    );
    print(s, () =>
      table(
        [...s.pools.map((p) => ({ pool: p.name, ...p.counts })), { pool: 'TOTAL', ...s.totals }],
        ['pool', 'free', 'reserved', 'allocated', 'quarantined', 'total'],
      ),
    );
  });

interface ReconcileView {
  dryRun: boolean;
  neutronPorts: number;
  liveAllocations: number;
  release: Array<{ portId: string; mac: string; state: string }>;
  commit: Array<{ portId: string; mac: string }>;
  macMismatch: Array<{ portId: string; allocatedMac: string; portMac: string }>;
  unallocatedPoolMacs: Array<{ portId: string; mac: string; poolState: string; allocatedTo: string | null }>;
}

program
  .command('reconcile')
  .description("compare allocations with Neutron's ports: release orphans, commit lost commits, report the rest")
  .option('--dry-run', 'report what would change, change nothing')
  .action(async (o) => {
    const r = await client().request<ReconcileView>('POST', `/v1/reconcile${o.dryRun ? '?dryRun=true' : ''}`);
    print(r, () => {
      const verb = r.dryRun ? 'would ' : '';
      const lines = [
        `${r.neutronPorts} Neutron ports, ${r.liveAllocations} live allocations${r.dryRun ? ' (dry run, nothing changed)' : ''}`,
      ];
      for (const a of r.release) lines.push(`${verb}release ${a.mac} (port ${a.portId} no longer exists)`);
      for (const a of r.commit) lines.push(`${verb}commit ${a.mac} (port ${a.portId} exists)`);
      for (const m of r.macMismatch) lines.push(`mismatch: port ${m.portId} carries ${m.portMac}, its allocation is ${m.allocatedMac}`);
      for (const u of r.unallocatedPoolMacs)
        lines.push(
          `unallocated: port ${u.portId} carries pool MAC ${u.mac} (${u.poolState}${u.allocatedTo ? `, allocated to ${u.allocatedTo}` : ''})`,
        );
      return lines.join('\n');
    });
  });

program
  .command('token')
  .description('create a bearer token (admin)')
  .argument('<name>')
  .addOption(
    new Option('--role <role>', 'admin, hook (the Neutron plugin) or reader').choices(['admin', 'hook', 'reader']).makeOptionMandatory(),
  )
  .action(async (name: string, o) => {
    const t = await client().request<{ token: string }>('POST', '/v1/tokens', { name, role: o.role });
    print(t, () => t.token);
  });

function scopeText(s: PoolView['scope']): string {
  const parts = [
    s.networkIds.length ? `networks=${s.networkIds.join(',')}` : '',
    s.projectIds.length ? `projects=${s.projectIds.join(',')}` : '',
    s.availabilityZones.length ? `zones=${s.availabilityZones.join(',')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' ') : 'any';
}

/** Upload progress on stderr: a live line on a terminal, a line every 10% otherwise. */
class Progress {
  private lastShown = -1;
  private readonly started = Date.now();
  update(sent: number, total: number) {
    const pct = total ? Math.floor((sent / total) * 100) : 100;
    const step = process.stderr.isTTY ? pct : Math.floor(pct / 10) * 10;
    if (step === this.lastShown) return;
    this.lastShown = step;
    const mb = (n: number) => (n / 1048576).toFixed(1);
    const text = `uploading: ${mb(sent)} / ${mb(total)} MiB (${pct}%)`;
    process.stderr.write(process.stderr.isTTY ? `\r${text}` : `${text}\n`);
  }
  done() {
    if (this.lastShown >= 0)
      process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}done in ${((Date.now() - this.started) / 1000).toFixed(1)} s\n`);
  }
}

function report(err: unknown): never {
  if (!(err instanceof ApiFailure)) fail((err as Error).message);
  const details = err.details as
    { errors?: Array<{ line: number | null; input: string; reason: string }>; errorCount?: number } | undefined;
  if (details?.errors) {
    const lines = details.errors.map(
      (e) => `  ${e.line === null ? '(not in file)' : `line ${e.line}`}: ${e.input ? `${e.input}: ` : ''}${e.reason}`,
    );
    const more = (details.errorCount ?? 0) > details.errors.length ? `\n  ... and ${details.errorCount! - details.errors.length} more` : '';
    fail(`${err.message}\n${lines.join('\n')}${more}`);
  }
  fail(`${err.message}${err.status ? ` (HTTP ${err.status}, ${err.code})` : ''}`);
}

program.parseAsync(process.argv).catch(report);
