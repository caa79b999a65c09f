import { Command } from 'commander';
import { CliContext, collect, integer, table } from './cli-context';

interface PoolView {
  name: string;
  priority: number;
  scope: { networkIds: string[]; projectIds: string[]; availabilityZones: string[] };
  counts: Record<string, number>;
  quarantineSeconds: number;
  reservationTtlSeconds: number;
}

interface PoolCreateOptions {
  description?: string;
  priority?: number;
  network?: string[];
  project?: string[];
  az?: string[];
  quarantine?: number;
  ttl?: number;
  allowUniversal?: boolean;
}

export function addPoolCommands(program: Command, cli: CliContext): void {
  const pools = program.command('pools').description('create, list, show and delete pools');

  pools
    .command('list')
    .description('list pools with their MAC counts')
    .action(async () => {
      const list = await cli.client().request<PoolView[]>('GET', '/v1/pools');
      cli.print(list, () =>
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
    .action(async (name: string, o: PoolCreateOptions) => {
      const body = {
        name,
        description: o.description,
        priority: o.priority,
        scope: { networkIds: o.network, projectIds: o.project, availabilityZones: o.az },
        quarantineSeconds: o.quarantine,
        reservationTtlSeconds: o.ttl,
        allowUniversal: o.allowUniversal,
      };
      const pool = await cli.client().request<PoolView>('POST', '/v1/pools', body);
      cli.print(pool, () => `created pool ${pool.name} (priority ${pool.priority}, scope ${scopeText(pool.scope)})`);
    });

  pools.command('show <name>').action(async (name: string) => {
    const p = await cli.client().request<PoolView>('GET', `/v1/pools/${encodeURIComponent(name)}`);
    cli.print(p, () => JSON.stringify(p, null, 2));
  });

  pools
    .command('delete <name>')
    .option('--force', 'also drop reserved/allocated MACs')
    .action(async (name: string, o: { force?: boolean }) => {
      await cli.client().request('DELETE', `/v1/pools/${encodeURIComponent(name)}${o.force ? '?force=true' : ''}`);
      cli.print({ deleted: name }, () => `deleted pool ${name}`);
    });
}

function scopeText(s: PoolView['scope']): string {
  const parts = [
    s.networkIds.length ? `networks=${s.networkIds.join(',')}` : '',
    s.projectIds.length ? `projects=${s.projectIds.join(',')}` : '',
    s.availabilityZones.length ? `zones=${s.availabilityZones.join(',')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' ') : 'any';
}
