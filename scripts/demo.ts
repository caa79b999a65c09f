/**
 * `npm run demo`: everything on one machine, with example data, until Ctrl-C. mac-pool with an
 * example pool, a SimpleSAMLphp IdP with example users, Keystone, aai-bridge with an example
 * mapping (each service on its embedded PostgreSQL), then the URLs, users, tokens and three
 * things to try. SIGINT or SIGTERM stops all of it: the services first, then the peers, then the
 * data dir goes.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { KEYSTONE, PeerError, RunningPeer, SIMPLESAMLPHP, ensureInstalled, startPeerScript, stopPeerScript } from './demo-peers';
import { anyFreePort, resolvePorts } from './demo-ports';
import { ServiceChild, killAllNow, spawnService } from './demo-services';
import { createKeystoneProjects, createPool, installMapping, writeIdpUsers } from './demo-setup';
import { summary } from './demo-summary';

/** The repository: where package.json names this project (dist-tools/scripts/ when built). */
function repositoryRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'openstack-ha-plumbing') return dir;
  }
  throw new Error(`no openstack-ha-plumbing package.json above ${__dirname}`);
}

function portArg(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port number 0-65535 (0: any free port)');
  return port;
}

function secondsArg(raw: string): number {
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1) throw new InvalidArgumentError('a whole number of seconds, at least 1');
  return seconds;
}

const portOption = (flag: string, env: string, fallback: number, what: string) =>
  new Option(`${flag} <port>`, what).env(env).default(fallback).argParser(portArg);

const program = new Command('npm run demo --')
  .description(
    'Starts mac-pool, aai-bridge, Keystone and a SAML IdP on this machine with example data, prints where ' +
      'they are and what to try, and stops all of it on Ctrl-C. Keystone and SimpleSAMLphp are Debian ' +
      'packages: a missing one is installed with test/peers/<peer>.sh install (needs root). Ports: 0 means any ' +
      'free port; a default that is taken is replaced by a free port, a port you chose that is taken is an error.',
  )
  .addOption(portOption('--mac-pool-port', 'DEMO_MACPOOL_PORT', 18080, 'mac-pool HTTP port'))
  .addOption(portOption('--bridge-port', 'DEMO_BRIDGE_PORT', 18081, 'aai-bridge HTTP port'))
  .addOption(portOption('--keystone-port', 'DEMO_KEYSTONE_PORT', 15000, 'Keystone port'))
  .addOption(portOption('--idp-port', 'DEMO_IDP_PORT', 18082, 'SimpleSAMLphp IdP port'))
  .option('--ready-timeout <seconds>', 'how long each part may take to start', secondsArg, 300)
  .showHelpAfterError();

const started = Date.now();
const progress = (line: string) => process.stdout.write(`[${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${line}\n`);
const secret = (bytes: number) => randomBytes(bytes).toString('hex');

/** What runs, stopped in reverse order (services before the peers they call, the data dir last). */
const cleanups: Array<{ what: string; run: () => Promise<void> }> = [];
const services: ServiceChild[] = [];
const abort = new AbortController();
let stopping: Promise<never> | undefined;
/** Whether the demo ends on an error (exit 1) rather than on Ctrl-C. */
let failed = false;

function shutdown(code: number, why: string): Promise<never> {
  if (stopping) {
    progress(`still stopping (${why}); the services drain, Keystone and the IdP follow`);
    return stopping;
  }
  failed = code !== 0;
  progress(`${why}: stopping everything`);
  abort.abort();
  stopping = (async () => {
    for (const c of [...cleanups].reverse()) {
      try {
        await c.run();
      } catch (err) {
        process.stderr.write(`demo: stopping ${c.what} failed: ${(err as Error).message}\n`);
      }
    }
    progress('stopped');
    process.exit(code);
  })();
  return stopping;
}

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<{ macPoolPort: number; bridgePort: number; keystonePort: number; idpPort: number; readyTimeout: number }>();
  const timeoutMs = opts.readyTimeout * 1000;
  const root = repositoryRoot();
  const mains = { macPool: join(root, 'dist/apps/mac-pool/src/main.js'), bridge: join(root, 'dist/apps/aai-bridge/src/main.js') };
  for (const main of Object.values(mains)) {
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first (npm run demo does)`);
  }
  // A repeated Ctrl-C while stopping only says so: dying then would orphan the peers.
  process.on('SIGINT', () => void shutdown(0, 'SIGINT'));
  process.on('SIGTERM', () => void shutdown(0, 'SIGTERM'));
  // A closed terminal too: the services and peers run in groups of their own and would stay.
  process.on('SIGHUP', () => void shutdown(0, 'SIGHUP'));
  // With the terminal gone, writing progress fails: that must not stop the cleanup.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  process.on('exit', () => killAllNow(services));

  await ensureInstalled(root, KEYSTONE, progress);
  await ensureInstalled(root, SIMPLESAMLPHP, progress);

  const chosen = (key: string) => program.getOptionValueSource(key) !== 'default';
  const { ports, notes } = await resolvePorts([
    { name: 'mac-pool', flag: '--mac-pool-port', port: opts.macPoolPort, chosen: chosen('macPoolPort') },
    { name: 'aai-bridge', flag: '--bridge-port', port: opts.bridgePort, chosen: chosen('bridgePort') },
    { name: 'Keystone', flag: '--keystone-port', port: opts.keystonePort, chosen: chosen('keystonePort') },
    { name: 'the IdP', flag: '--idp-port', port: opts.idpPort, chosen: chosen('idpPort') },
  ]);
  notes.forEach(progress);
  const [macPoolPort, bridgePort, keystonePort, idpPort] = ports;
  let macPoolPgPort = await anyFreePort();
  let bridgePgPort = await anyFreePort();
  while ([...ports, macPoolPgPort].includes(bridgePgPort)) bridgePgPort = await anyFreePort();
  while (ports.includes(macPoolPgPort)) macPoolPgPort = await anyFreePort();

  const dir = await mkdtemp(join(tmpdir(), 'ha-plumbing-demo-'));
  cleanups.push({
    what: 'the data dir',
    // After a failure its logs say why: keep it (nothing runs on it any more).
    run: async () => {
      if (failed) progress(`logs and data kept in ${dir} (remove it when done)`);
      else await rm(dir, { recursive: true, force: true });
    },
  });
  // As root the embedded PostgreSQL runs as user postgres, which must walk into its data dir.
  await chmod(dir, 0o755);
  const logs = join(dir, 'logs');
  await mkdir(join(dir, 'sp'), { recursive: true });
  await mkdir(logs, { recursive: true });

  const bridgeUrl = `http://127.0.0.1:${bridgePort}`;
  const macPoolUrl = `http://127.0.0.1:${macPoolPort}`;
  const idpUrl = `http://127.0.0.1:${idpPort}/`;
  const keystonePassword = `admin-${secret(8)}`;
  const macPoolToken = `macpool-${secret(16)}`;
  const bridgeToken = `aai-${secret(16)}`;
  const sp = { key: join(dir, 'sp/sp.key'), cert: join(dir, 'sp/sp.crt') };
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '365', '-subj', '/CN=aai-bridge.demo', '-keyout', sp.key, '-out', sp.cert],
    { stdio: 'ignore' },
  );

  const startPeer = async (peer: typeof KEYSTONE, sub: string, env: Record<string, string>): Promise<RunningPeer> => {
    const peerDir = join(dir, sub);
    // Registered before it starts: an interrupted start leaves a pid file that `stop` needs.
    if (abort.signal.aborted) throw new PeerError(`${peer.name}: not started, the demo is stopping`);
    cleanups.push({ what: peer.name, run: () => stopPeerScript(root, peer, peerDir) });
    const t0 = Date.now();
    // Keystone's bootstrap is slow on a busy machine: say that it is still going.
    const ticker = setInterval(() => progress(`still starting ${peer.name} (${Math.round((Date.now() - t0) / 1000)} s)`), 20_000);
    try {
      return await startPeerScript(root, peer, peerDir, env, { timeoutMs, signal: abort.signal });
    } finally {
      clearInterval(ticker);
    }
  };
  const startService = async (name: string, main: string, port: number, env: Record<string, string>) => {
    if (abort.signal.aborted) throw new Error(`${name}: not started, the demo is stopping`);
    const service = spawnService({ name, main, port, env: { LOG_LEVEL: 'info', ...env }, logFile: join(logs, `${name}.log`) });
    services.push(service);
    cleanups.push({ what: name, run: () => service.stop(20_000) });
    await service.ready(timeoutMs);
    return service;
  };

  progress(
    `starting Keystone on port ${keystonePort} (bootstrapping it takes a minute or two), the IdP on ${idpPort}, mac-pool on ${macPoolPort}`,
  );
  const peers: RunningPeer[] = [];
  const keystoneUp = startPeer(KEYSTONE, 'keystone', {
    KEYSTONE_PORT: String(keystonePort),
    KEYSTONE_ADMIN_PASSWORD: keystonePassword,
  }).then((peer) => {
    peers.push(peer);
    progress('Keystone is up');
  });
  const idpUp = startPeer(SIMPLESAMLPHP, 'idp', {
    IDP_PORT: String(idpPort),
    SP_ENTITY_ID: `${bridgeUrl}/saml/metadata`,
    SP_ACS_URL: `${bridgeUrl}/saml/acs`,
    SP_SLO_URL: `${bridgeUrl}/saml/slo`,
    SP_CERT_FILE: sp.cert,
  }).then(async (peer) => {
    peers.push(peer);
    await writeIdpUsers(join(dir, 'idp'));
    progress('the IdP is up, with the example users');
  });
  const macPoolUp = startService('mac-pool', mains.macPool, macPoolPort, {
    MACPOOL_DATA_DIR: join(dir, 'mac-pool'),
    EMBEDDED_PG_PORT: String(macPoolPgPort),
    MACPOOL_ADMIN_TOKEN: macPoolToken,
  }).then(async () => {
    await createPool(macPoolUrl, macPoolToken);
    progress('mac-pool is up, with the example pool');
  });
  // Settle all three before failing, so no start is still running when the cleanups run.
  const peersUp = await Promise.allSettled([keystoneUp, idpUp, macPoolUp]);
  const startFailure = peersUp.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (startFailure) throw startFailure.reason;

  await createKeystoneProjects(`http://127.0.0.1:${keystonePort}/v3`, keystonePassword);
  progress(`starting aai-bridge on port ${bridgePort}`);
  await startService('aai-bridge', mains.bridge, bridgePort, {
    AAI_DATA_DIR: join(dir, 'aai-bridge'),
    EMBEDDED_PG_PORT: String(bridgePgPort),
    AAI_ADMIN_TOKEN: bridgeToken,
    AAI_PUBLIC_URL: bridgeUrl,
    AAI_SP_KEY: sp.key,
    AAI_SP_CERT: sp.cert,
    AAI_IDP_METADATA: `${idpUrl}saml2/idp/metadata.php`,
    AAI_SECRET_KEY: secret(24),
    KEYSTONE_URL: `http://127.0.0.1:${keystonePort}/v3`,
    KEYSTONE_ADMIN_PASSWORD: keystonePassword,
  });
  await installMapping(bridgeUrl, bridgeToken);
  progress('aai-bridge is up, with the example mapping');

  process.stdout.write(
    summary({
      macPoolUrl,
      macPoolToken,
      macPoolDatabase: `127.0.0.1:${macPoolPgPort}`,
      bridgeUrl,
      bridgeToken,
      bridgeDatabase: `127.0.0.1:${bridgePgPort}`,
      keystoneUrl: `http://127.0.0.1:${keystonePort}/v3`,
      keystonePassword,
      idpUrl,
      dataDir: dir,
    }),
  );
  // A service that dies while the demo runs ends the demo: half a demo only confuses.
  for (const s of services) {
    void s.exited.then((code) => {
      if (stopping) return;
      process.stderr.write(`demo: ${s.name} exited (${code}); the end of its log (${s.logFile}):\n${s.logTail(12)}\n`);
      void shutdown(1, `${s.name} exited`);
    });
  }
  // Keystone and the IdP are not our children: look at them now and then.
  const watch = setInterval(() => {
    const gone = peers.find((p) => !p.alive());
    if (!gone || stopping) return;
    clearInterval(watch);
    process.stderr.write(`demo: ${gone.name} stopped running; its logs are in ${gone.dir}\n`);
    void shutdown(1, `${gone.name} stopped`);
  }, 2000);
  watch.unref();
}

main().catch((err) => {
  if (stopping) return; // interrupted while starting: the shutdown under way exits
  process.stderr.write(`demo: ${err instanceof PeerError ? '' : 'failed: '}${(err as Error).message}\n`);
  void shutdown(1, 'start failed');
});
