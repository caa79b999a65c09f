import { Command } from 'commander';
import { failureText } from '@app/cli';
import { cliContext, failMacpool } from './cli-context';
import { addMacCommands } from './macs.commands';
import { addPoolCommands } from './pools.commands';
import { addReconcileCommand } from './reconcile.command';
import { addStatsCommand } from './stats.command';
import { addTokenCommand } from './tokens.command';
import { addUploadCommand } from './upload.command';

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

const cli = cliContext(program);
// Registration order is the order --help lists the commands in.
addPoolCommands(program, cli);
addUploadCommand(program, cli);
addMacCommands(program, cli);
addStatsCommand(program, cli);
addReconcileCommand(program, cli);
addTokenCommand(program, cli);

program.parseAsync(process.argv).catch((err: unknown) => failMacpool(failureText(err, { withStatus: true })));
