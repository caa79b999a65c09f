import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { peerAvailable } from '../support/peers';

const ROOT = join(__dirname, '../..');
const present = peerAvailable('systemd unit checks', 'systemd-analyze', ['/usr/bin/systemd-analyze'], 'pacemaker.sh');

(present ? describe : describe.skip)('systemd units and the compose file', () => {
  it.each(['mac-pool', 'aai-bridge'])('%s.service passes systemd-analyze verify', (name) => {
    const run = spawnSync('systemd-analyze', ['verify', join(ROOT, 'deploy/systemd', `${name}.service`)], { encoding: 'utf8' });
    // Lines about units already on this machine (e.g. keystone.service) are not ours.
    const ours = run.stderr.split('\n').filter((l) => l.includes(`${name}.service`));
    expect(ours).toEqual([]);
    expect(run.status).toBe(0);
  });

  // Built and run for real by containers.e2e-spec.ts (podman); this checks the file where podman is missing.
  it('compose describes PostgreSQL and both services, built from their Dockerfiles on the release tarballs', () => {
    const compose = parse(readFileSync(join(ROOT, 'docker/compose.yaml'), 'utf8'));
    expect(Object.keys(compose.services).sort()).toEqual(['aai-bridge', 'mac-pool', 'postgres']);
    for (const app of ['mac-pool', 'aai-bridge']) {
      const { context, dockerfile } = compose.services[app].build;
      // Paths in compose.yaml are relative to its folder; the Dockerfile to the context.
      expect(join(ROOT, 'docker', context)).toBe(join(ROOT, 'release'));
      const file = join(ROOT, 'docker', context, dockerfile);
      expect(file).toBe(join(ROOT, 'docker', `${app}.Dockerfile`));
      expect(readFileSync(file, 'utf8')).toContain(`/opt/${app}/current/dist/apps/${app}/src/main.js`);
    }
  });
});
