import { Command, Option } from 'commander';
import { CliContext } from './cli-context';

export function addTokenCommand(program: Command, cli: CliContext): void {
  program
    .command('token')
    .description('create a bearer token (admin)')
    .argument('<name>')
    .addOption(
      new Option('--role <role>', 'admin, hook (the Neutron plugin) or reader').choices(['admin', 'hook', 'reader']).makeOptionMandatory(),
    )
    .action(async (name: string, o: { role: string }) => {
      const t = await cli.client().request<{ token: string }>('POST', '/v1/tokens', { name, role: o.role });
      cli.print(t, () => t.token);
    });
}
