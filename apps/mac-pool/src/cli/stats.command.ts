import { Command } from 'commander';
import { CliContext, table } from './cli-context';

interface StatsView {
  pools: Array<{ name: string; counts: Record<string, number> }>;
  totals: Record<string, number>;
}

export function addStatsCommand(program: Command, cli: CliContext): void {
  program
    .command('stats')
    .description('MAC counts by state, per pool and in total')
    .action(async () => {
      const s = await cli.client().request<StatsView>('GET', '/v1/stats');
      cli.print(s, () =>
        table(
          [...s.pools.map((p) => ({ pool: p.name, ...p.counts })), { pool: 'TOTAL', ...s.totals }],
          ['pool', 'free', 'reserved', 'allocated', 'quarantined', 'total'],
        ),
      );
    });
}
