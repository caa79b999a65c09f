import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The controllers of the real-cluster suites run what operators install, not the checkout: the
 * release artefacts (scripts/release.sh, from the compiled tree), each service's tarball installed
 * by its own install.sh on each controller's disk (ha-cluster.sh: RUN/ctrlN/root, which that node
 * sees as its /opt and as its OCF provider dir infn).
 */
const ROOT = join(__dirname, '../..');
const CLUSTER = join(ROOT, 'test/peers/ha-cluster.sh');
export const CONTROLLERS = ['ctrl1', 'ctrl2'];
export const RELEASE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The entry a controller runs a service from once installed: install.sh's `current` release. */
export const installedEntry = (service: string) => `/opt/${service}/current/dist/apps/${service}/src/main.js`;

/** What one controller holds of one service, as that node sees it. */
export interface InstalledService {
  node: string;
  service: string;
  /** Where /opt/<service>/current points. */
  current: string;
  /** The node's installedEntry is the file its own install.sh wrote on its own disk (not the other node's, not the checkout's). */
  entryIsOwnCopy: boolean;
  /** The agent and its shared body in the node's OCF provider dir, byte for byte those of the tarball. */
  agentFromTarball: boolean;
  sharedBodyFromTarball: boolean;
  /** The default entry of ocf:infn:<service> as Pacemaker reads it on the node (the checkout's agent has another). */
  agentDefaultEntry: string | undefined;
}

export interface InstalledRelease {
  tarballs: Record<string, string>;
  buildSeconds: number;
  installSeconds: number;
  installed: InstalledService[];
}

const onNode = (node: string, ...cmd: string[]) => execFileSync(CLUSTER, ['on', node, ...cmd], { timeout: 60_000 });

/**
 * Builds the release of `services` into DIR/release (npm run build first: --no-build packs dist/),
 * unpacks each tarball and runs its install.sh --root RUN/<node>/root for each controller, then
 * reports what each node sees. The cluster must be up (its nodes mount their disks at boot).
 */
export function buildAndInstallRelease(dir: string, run: string, services: string[]): InstalledRelease {
  for (const service of services) {
    const compiled = join(ROOT, 'dist/apps', service, 'src/main.js');
    if (!existsSync(compiled)) throw new Error(`${compiled} is missing: npm run build first`);
  }
  const out = join(dir, 'release');
  const builtAt = Date.now();
  execFileSync(
    'bash',
    [
      join(ROOT, 'scripts/release.sh'),
      '--no-build',
      '--no-deb',
      '--out',
      out,
      ...(services.length === 1 ? ['--service', services[0]] : []),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 },
  );
  const buildSeconds = (Date.now() - builtAt) / 1000;

  const installedAt = Date.now();
  const tarballs: Record<string, string> = {};
  for (const service of services) {
    const name = `${service}-${RELEASE_VERSION}`;
    tarballs[service] = join(out, `${name}.tar.gz`);
    const unpacked = join(dir, 'unpacked');
    mkdirSync(unpacked, { recursive: true });
    execFileSync('tar', ['-xzf', tarballs[service], '-C', unpacked]);
    for (const node of CONTROLLERS) {
      execFileSync('bash', [join(unpacked, name, 'install.sh'), '--root', join(run, node, 'root')], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    }
  }
  const installSeconds = (Date.now() - installedAt) / 1000;

  const installed = CONTROLLERS.flatMap((node) =>
    services.map((service): InstalledService => {
      const inTarball = (file: string) =>
        execFileSync('tar', ['-xzOf', tarballs[service], `${service}-${RELEASE_VERSION}/share/ocf/${file}`]);
      const onDisk = statSync(join(run, node, 'root/opt', service, RELEASE_VERSION, 'dist/apps', service, 'src/main.js'));
      const metadata = onNode(node, 'crm_resource', '--show-metadata', `ocf:infn:${service}`).toString();
      return {
        node,
        service,
        current: onNode(node, 'readlink', `/opt/${service}/current`).toString().trim(),
        entryIsOwnCopy:
          onNode(node, 'stat', '-L', '-c', '%d:%i', installedEntry(service)).toString().trim() === `${onDisk.dev}:${onDisk.ino}`,
        agentFromTarball: onNode(node, 'cat', `/usr/lib/ocf/resource.d/infn/${service}`).equals(inTarball(service)),
        sharedBodyFromTarball: onNode(node, 'cat', '/usr/lib/ocf/resource.d/infn/nodejs-service.sh').equals(inTarball('nodejs-service.sh')),
        agentDefaultEntry: /<parameter name="entry"[^]*?<content type="string" default="([^"]*)"/.exec(metadata)?.[1],
      };
    }),
  );
  return { tarballs, buildSeconds, installSeconds, installed };
}

/** What buildAndInstallRelease must report: every controller holds its own install of every service. */
export const expectedInstalls = (services: string[]): InstalledService[] =>
  CONTROLLERS.flatMap((node) =>
    services.map((service) => ({
      node,
      service,
      current: RELEASE_VERSION,
      entryIsOwnCopy: true,
      agentFromTarball: true,
      sharedBodyFromTarball: true,
      agentDefaultEntry: installedEntry(service),
    })),
  );

/** The command line of the process the agent runs for the service on the node (the PID in its file, in the node's own /run). */
export function runningArgv(node: string, service: string): string[] {
  const pid = onNode(node, 'cat', `/run/resource-agents/${service}-svc-${service}.pid`).toString().trim();
  return onNode(node, 'cat', `/proc/${pid}/cmdline`).toString().split('\0').filter(Boolean);
}
