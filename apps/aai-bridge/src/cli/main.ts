import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { ApiClient, fail as failWith, failureText } from '@app/cli';
import { MappingError, parseAssertionText, processMapping, validateMapping } from '@app/keystone-mapping';
import { withCloud } from './clouds-file';
// Type-only imports: the service's reply shapes, erased at build (the CLI loads no Nest).
import type { DeviceCodeAnswer } from '../device/device-flow.service';
import type { ApplyRun } from '../provisioning/apply-run.repository';
import type { MappingPreview } from '../provisioning/mapping-rollout.service';

/** `aai-bridge`: the administrators' command line (mapping rules, their preview and application, users). */
const program = new Command('aai-bridge').description('INFN AAI to Keystone bridge: mapping rules and federated users').addHelpText(
  'after',
  `
Environment (for commands that talk to the service):
  AAI_URL     base URL of the service (default http://127.0.0.1:8081)
  AAI_TOKEN   admin bearer token (AAI_ADMIN_TOKEN of the service, or .data/aai-bridge/admin-token)

Examples:
  aai-bridge mapping test --rules rules.json --input assertion.txt   # offline, like keystone-manage mapping_engine
  aai-bridge mapping put rules.json --comment "CMS members get cms-users"
  aai-bridge mapping preview rules.json          # who gains and loses what, against what the bridge granted
  aai-bridge mapping put rules.json --apply-now  # re-provision every known user now (--dry-run: preview only)
  aai-bridge mapping resume 3                    # resume apply-now run 3 after a failure
  aai-bridge users dormant
  aai-bridge login --url https://aai.cloud.infn.it --project cms   # on a machine without a browser
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

function printPreview(p: MappingPreview): void {
  for (const c of p.changes) {
    process.stdout.write(`${c.user}\n`);
    if (c.refused) process.stdout.write(`  refused by the rules: ${c.refused}\n`);
    for (const g of c.gained) process.stdout.write(`  + ${g}\n`);
    for (const l of c.lost) process.stdout.write(`  - ${l}\n`);
  }
  process.stdout.write(
    `${p.users} users compared, ${p.changed} change: ${p.gained} grants gained, ${p.lost} lost; ` +
      `${p.loseAllAccess.length} lose all access${p.loseAllAccess.length ? ` (${p.loseAllAccess.join(', ')})` : ''}` +
      `${p.skipped ? `; ${p.skipped} without stored attributes (compared at their next login)` : ''}\n`,
  );
  if (p.unknownAttributes.length)
    process.stdout.write(
      `warning: the bridge keeps no ${p.unknownAttributes.join(', ')} (the current rules do not read it): the preview cannot see it\n`,
    );
}

/** Follows a run to its end, printing progress; exit 1 if it failed. */
async function follow(run: ApplyRun): Promise<void> {
  const api = client();
  while (run.status === 'running') {
    process.stderr.write(`\rrun ${run.id}: ${run.processed}/${run.total} users`);
    await new Promise((r) => setTimeout(r, 1000));
    run = await api.request<ApplyRun>('GET', `/v1/mapping/apply-runs/${run.id}`);
  }
  process.stderr.write('\n');
  process.stdout.write(
    `run ${run.id} (version ${run.mappingVersion}) ${run.status}: ${run.processed}/${run.total} users, ${run.granted} granted, ${run.revoked} revoked` +
      `${run.skipped ? `, ${run.skipped} skipped (no stored attributes)` : ''}\n`,
  );
  if (run.status === 'failed') fail(`${run.error ?? 'failed'}; retry with: aai-bridge mapping resume ${run.id}`);
}

mapping
  .command('put <file>')
  .description('replace the rules (validated; the old version stays in the history); users get them at their next login')
  .option('--comment <text>', 'why, for the history')
  .option('--apply-now', 're-provision every known user under the new rules now (grants added, lost ones revoked)')
  .option('--dry-run', 'with --apply-now: store nothing, print what would change')
  .action(async (file: string, o: { comment?: string; applyNow?: boolean; dryRun?: boolean }) => {
    if (o.dryRun && !o.applyNow) fail('--dry-run goes with --apply-now (or use: aai-bridge mapping preview FILE)', 2);
    const query = new URLSearchParams({
      ...(o.comment ? { comment: o.comment } : {}),
      ...(o.applyNow ? { apply: 'now' } : {}),
      ...(o.dryRun ? { dryRun: 'true' } : {}),
    }).toString();
    const path = `/v1/mapping${query ? `?${query}` : ''}`;
    if (!o.applyNow) {
      const saved = await client().request<MappingVersion>('PUT', path, readJson(file));
      return void process.stdout.write(
        `stored as version ${saved.version} (${saved.rules.length} rules); users get them at their next login\n`,
      );
    }
    if (o.dryRun) return printPreview(await client().request<MappingPreview>('PUT', path, readJson(file)));
    const started = await client().request<{ version: MappingVersion; run: ApplyRun }>('PUT', path, readJson(file));
    process.stdout.write(`stored as version ${started.version.version}; applying to ${started.run.total} users (run ${started.run.id})\n`);
    await follow(started.run);
  });

mapping
  .command('preview <file>')
  .description('who would gain and lose which projects, roles and groups under these rules (nothing is stored)')
  .option('--json', 'print the service answer as JSON')
  .action(async (file: string, o: { json?: boolean }) => {
    const preview = await client().request<MappingPreview>('POST', '/v1/mapping/preview', readJson(file));
    if (o.json) process.stdout.write(`${JSON.stringify(preview, null, 2)}\n`);
    else printPreview(preview);
  });

mapping
  .command('resume <run>')
  .description('resume a failed apply-now run: its failed users first, then on from where it stopped')
  .action(async (id: string) => {
    await follow(await client().request<ApplyRun>('POST', `/v1/mapping/apply-runs/${encodeURIComponent(id)}/resume`));
  });

mapping
  .command('history')
  .description('who changed the rules, when')
  .action(async () => {
    const versions = await client().request<MappingVersion[]>('GET', '/v1/mapping/history');
    for (const v of versions)
      process.stdout.write(`v${v.version}  ${v.createdAt}  ${v.actor}  ${v.rules.length} rules${v.comment ? `  ${v.comment}` : ''}\n`);
  });

program
  .command('users')
  .description('federated users the bridge knows')
  .command('dormant')
  .description('users disabled as dormant (no login for AAI_DORMANT_DAYS); a login re-enables them')
  .action(async () => {
    const users = await client().request<Array<{ userName: string; idp: string | null; lastSeenAt: string; dormantSince: string }>>(
      'GET',
      '/v1/users/dormant',
    );
    for (const u of users)
      process.stdout.write(`${u.userName}  last seen ${u.lastSeenAt}  dormant since ${u.dormantSince}${u.idp ? `  ${u.idp}` : ''}\n`);
    if (!users.length) process.stdout.write('no dormant users\n');
  });

interface DeviceCredential {
  auth_url: string;
  application_credential_id: string;
  application_credential_secret: string;
  project_name: string;
  expires_at: string;
}

/** What the device endpoints answer: a result, RFC 8628's { error, error_description }, or the bridge's error shape. */
type DeviceAnswer = Partial<DeviceCodeAnswer & DeviceCredential> & {
  error?: string | { message?: string };
  error_description?: string;
};

async function postJson(url: string, body: unknown): Promise<{ status: number; body: DeviceAnswer }> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  } catch (err) {
    fail(`cannot reach ${new URL(url).origin}: ${(err as Error).cause ?? (err as Error).message}`);
  }
  const text = await res.text();
  try {
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  } catch {
    fail(`${url} answered ${res.status} with no JSON: ${text.slice(0, 200)}`);
  }
}

program
  .command('login')
  .description('log in from a machine without a browser: approve a code in any browser; an application credential goes into clouds.yaml')
  .requiredOption('--url <bridge>', 'the bridge, e.g. https://aai.cloud.example')
  .option('--project <name>', 'the project to ask for (you confirm it, or pick another, in the browser)')
  .option('--cloud <name>', 'the clouds.yaml entry to write or update (default: the project name)')
  .option('--clouds-file <path>', 'default: $OS_CLIENT_CONFIG_FILE, else ~/.config/openstack/clouds.yaml')
  .action(async (o: { url: string; project?: string; cloud?: string; cloudsFile?: string }) => {
    const base = o.url.replace(/\/+$/, '');
    const started = await postJson(`${base}/device/code`, { project: o.project, cloud: o.cloud });
    const refusal = started.body.error;
    if (started.status !== 200) fail(`the bridge refused: ${(typeof refusal === 'object' && refusal.message) || started.status}`);
    const code = started.body as DeviceCodeAnswer;
    process.stdout.write(
      `To log in, open ${code.verification_uri} in any browser and enter the code ${code.user_code}\n` +
        `(or open ${code.verification_uri_complete}). Waiting for your approval...\n`,
    );
    let interval = code.interval;
    const deadline = Date.now() + code.expires_in * 1000;
    let credential: DeviceCredential | undefined;
    while (!credential) {
      if (Date.now() > deadline) fail('the code expired before it was approved; run aai-bridge login again');
      await new Promise((r) => setTimeout(r, interval * 1000));
      const polled = await postJson(`${base}/device/token`, {
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: code.device_code,
      });
      if (polled.status === 200) credential = polled.body as DeviceCredential;
      else if (polled.body.error === 'authorization_pending') continue;
      else if (polled.body.error === 'slow_down') interval += 5;
      else if (polled.body.error === 'access_denied') fail('the login was refused in the browser');
      else if (polled.body.error === 'expired_token') fail('the code expired before it was approved; run aai-bridge login again');
      else fail(`the bridge refused: ${polled.body.error_description ?? JSON.stringify(polled.body.error) ?? polled.status}`);
    }
    const file = o.cloudsFile ?? process.env.OS_CLIENT_CONFIG_FILE ?? join(homedir(), '.config', 'openstack', 'clouds.yaml');
    const name = o.cloud ?? credential.project_name;
    let text: string;
    try {
      text = withCloud(existsSync(file) ? readFileSync(file, 'utf8') : '', name, {
        authUrl: credential.auth_url,
        credentialId: credential.application_credential_id,
        credentialSecret: credential.application_credential_secret,
        projectName: credential.project_name,
        expiresAt: credential.expires_at,
      });
    } catch (err) {
      fail(
        `${file}: ${(err as Error).message} (the credential ${credential.application_credential_id} was made; fix the file and log in again)`,
      );
    }
    mkdirSync(dirname(file), { recursive: true });
    // It holds a secret: readable by the user only.
    writeFileSync(file, text, { mode: 0o600 });
    chmodSync(file, 0o600);
    process.stdout.write(
      `Logged in: cloud "${name}" (project ${credential.project_name}, expires ${credential.expires_at}) written to ${file}\n` +
        `Try: openstack --os-cloud ${name} token issue\n`,
    );
  });

program.parseAsync(process.argv).catch((err: unknown) => fail(failureText(err, { withStatus: false })));
