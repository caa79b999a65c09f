import { Command } from 'commander';
import { CliContext, table } from './cli-context';

interface HistoryView {
  events: Array<Record<string, unknown>>;
  at?: { holder: Record<string, unknown> | null };
}

export function addMacCommands(program: Command, cli: CliContext): void {
  program
    .command('show <mac>')
    .description('a MAC: pool, state, port, metadata')
    .action(async (mac: string) => {
      const m = await cli.client().request<Record<string, unknown>>('GET', `/v1/macs/${encodeURIComponent(mac)}`);
      cli.print(m, () =>
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
    .action(async (mac: string, o: { at?: string }) => {
      const h = await cli
        .client()
        .request<HistoryView>('GET', `/v1/macs/${encodeURIComponent(mac)}/history${o.at ? `?at=${encodeURIComponent(o.at)}` : ''}`);
      cli.print(h, () => {
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
}
