import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ApiClient, fail as failWith, failureText } from '@app/cli';
import { MappingError, parseAssertionText, processMapping, validateMapping } from '@app/keystone-mapping';

/** `aai-bridge`: the administrators' command line (mapping rules). */
const program = new Command('aai-bridge').description('INFN AAI to Keystone bridge: mapping rules').addHelpText(
  'after',
  `
Environment (for commands that talk to the service):
  AAI_URL     base URL of the service (default http://127.0.0.1:8081)
  AAI_TOKEN   admin bearer token (AAI_ADMIN_TOKEN of the service, or .data/aai-bridge/admin-token)

Examples:
  aai-bridge mapping test --rules rules.json --input assertion.txt   # offline, like keystone-manage mapping_engine
  aai-bridge mapping put rules.json --comment "CMS members get cms-users"
  aai-bridge mapping history`,
);

function fail(message: string, code = 1): never {
  return failWith('aai-bridge', message, code);
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    fail(`${path}: ${(err as Error).message}`, 2);
  }
}

function client(): ApiClient {
  const token = process.env.AAI_TOKEN;
  if (!token) fail('set AAI_TOKEN (the admin token)', 2);
  return new ApiClient({ name: 'aai-bridge', baseUrl: process.env.AAI_URL ?? 'http://127.0.0.1:8081', token });
}

/** A stored version of the rules, as the service returns it. */
interface MappingVersion {
  version: number;
  actor: string;
  createdAt: string;
  comment: string | null;
  rules: unknown[];
}

const mapping = program.command('mapping').description('Keystone-format mapping rules');

mapping
  .command('test')
  .description("map an assertion offline with Keystone's semantics; prints what keystone-manage mapping_engine prints")
  .requiredOption('--rules <file>', 'rules JSON ({rules: [...]} or a list)')
  .requiredOption('--input <file>', "assertion in Keystone's format: 'name: value' lines, several values joined with ;")
  .action((o: { rules: string; input: string }) => {
    const v = validateMapping(readJson(o.rules));
    if (!v.ok) fail(`invalid rules in ${o.rules}:${v.problems.map((p) => `\n  ${p.path}: ${p.message}`).join('')}`);
    let assertion;
    try {
      assertion = parseAssertionText(readFileSync(o.input, 'utf8'));
    } catch (err) {
      fail(`${o.input}: ${(err as Error).message}`, 2);
    }
    try {
      process.stdout.write(`${JSON.stringify(processMapping(v.mapping, assertion), null, 2)}\n`);
    } catch (err) {
      if (err instanceof MappingError) fail(`${err.code}: ${err.message}`);
      throw err;
    }
  });

mapping
  .command('show')
  .description('the current rules')
  .action(async () => {
    process.stdout.write(`${JSON.stringify(await client().request<unknown>('GET', '/v1/mapping'), null, 2)}\n`);
  });

mapping
  .command('put <file>')
  .description('replace the rules (validated; the old version stays in the history)')
  .option('--comment <text>', 'why, for the history')
  .action(async (file: string, o: { comment?: string }) => {
    const path = `/v1/mapping${o.comment ? `?comment=${encodeURIComponent(o.comment)}` : ''}`;
    const saved = await client().request<MappingVersion>('PUT', path, readJson(file));
    process.stdout.write(`stored as version ${saved.version} (${saved.rules.length} rules)\n`);
  });

mapping
  .command('history')
  .description('who changed the rules, when')
  .action(async () => {
    const versions = await client().request<MappingVersion[]>('GET', '/v1/mapping/history');
    for (const v of versions)
      process.stdout.write(`v${v.version}  ${v.createdAt}  ${v.actor}  ${v.rules.length} rules${v.comment ? `  ${v.comment}` : ''}\n`);
  });

program.parseAsync(process.argv).catch((err: unknown) => fail(failureText(err, { withStatus: false })));
