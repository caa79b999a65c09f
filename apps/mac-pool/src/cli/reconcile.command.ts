import { Command } from 'commander';
import { CliContext } from './cli-context';

interface ReconcileView {
  dryRun: boolean;
  neutronPorts: number;
  liveAllocations: number;
  release: Array<{ portId: string; mac: string; state: string }>;
  commit: Array<{ portId: string; mac: string }>;
  macMismatch: Array<{ portId: string; allocatedMac: string; portMac: string }>;
  unallocatedPoolMacs: Array<{ portId: string; mac: string; poolState: string; allocatedTo: string | null }>;
}

export function addReconcileCommand(program: Command, cli: CliContext): void {
  program
    .command('reconcile')
    .description("compare allocations with Neutron's ports: release orphans, commit lost commits, report the rest")
    .option('--dry-run', 'report what would change, change nothing')
    .action(async (o: { dryRun?: boolean }) => {
      const r = await cli.client().request<ReconcileView>('POST', `/v1/reconcile${o.dryRun ? '?dryRun=true' : ''}`);
      cli.print(r, () => reportText(r));
    });
}

function reportText(r: ReconcileView): string {
  const verb = r.dryRun ? 'would ' : '';
  const lines = [`${r.neutronPorts} Neutron ports, ${r.liveAllocations} live allocations${r.dryRun ? ' (dry run, nothing changed)' : ''}`];
  for (const a of r.release) lines.push(`${verb}release ${a.mac} (port ${a.portId} no longer exists)`);
  for (const a of r.commit) lines.push(`${verb}commit ${a.mac} (port ${a.portId} exists)`);
  for (const m of r.macMismatch) lines.push(`mismatch: port ${m.portId} carries ${m.portMac}, its allocation is ${m.allocatedMac}`);
  for (const u of r.unallocatedPoolMacs)
    lines.push(
      `unallocated: port ${u.portId} carries pool MAC ${u.mac} (${u.poolState}${u.allocatedTo ? `, allocated to ${u.allocatedTo}` : ''})`,
    );
  return lines.join('\n');
}
