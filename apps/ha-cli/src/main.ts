import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse } from 'yaml';
import { ClusterError, renderCib, renderCrmScript, renderPcsScript, renderRunbook, validateCluster } from '@app/ha';

/** `npm run ha -- render FILE [--out DIR]`: the controller description → CIB, crm and pcs scripts, runbook. */
const program = new Command('ha').description('Pacemaker configuration of the controller pair, generated from one description');

program
  .command('render <file>')
  .description('write cib.xml, crm.sh, pcs.sh and RUNBOOK.md for the description (YAML)')
  .option('--out <dir>', 'output directory', 'deploy/pacemaker/rendered')
  .action((file: string, o: { out: string }) => {
    let description;
    try {
      description = validateCluster(parse(readFileSync(file, 'utf8')));
    } catch (err) {
      process.stderr.write(`ha: ${file}: ${(err as Error).message}\n`);
      process.exit(err instanceof ClusterError ? 1 : 2);
    }
    mkdirSync(o.out, { recursive: true });
    const outputs: Record<string, string> = {
      'cib.xml': renderCib(description),
      // The same with both nodes up, for crm_verify and crm_simulate without a cluster.
      'cib-simulate.xml': renderCib(description, { nodesOnline: true }),
      'crm.sh': renderCrmScript(description),
      'pcs.sh': renderPcsScript(description),
      'RUNBOOK.md': renderRunbook(description),
    };
    for (const [name, text] of Object.entries(outputs)) writeFileSync(join(o.out, name), text);
    process.stdout.write(
      `wrote ${Object.keys(outputs).join(', ')} to ${o.out} (${description.services.length} services, ${description.nodes.length} nodes)\n`,
    );
  });

program.parseAsync(process.argv);
