import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { parse } from 'yaml';
import { peerAvailable } from '../support/peers';

const ROOT = join(__dirname, '../..');
const tools = peerAvailable(
  'cluster configuration tests',
  'Pacemaker tools',
  ['/usr/sbin/crm_verify', '/usr/sbin/crm_simulate', '/usr/sbin/crm_resource'],
  'pacemaker.sh',
);
const peer = tools ? describe : describe.skip;

/** A transition graph: which actions must complete before which (transitively). */
function graph(file: string) {
  const doc = new DOMParser().parseFromString(readFileSync(file, 'utf8'), 'text/xml');
  const keyById = new Map<string, string>();
  const inputs = new Map<string, string[]>();
  for (const synapse of Array.from(doc.getElementsByTagName('synapse'))) {
    const [actionSet, inputSet] = ['action_set', 'inputs'].map((t) => synapse.getElementsByTagName(t)[0]);
    const action = Array.from(actionSet.childNodes).find((n) => n.nodeType === 1) as Element;
    const id = action.getAttribute('id')!;
    keyById.set(id, `${action.getAttribute('operation_key')}@${action.getAttribute('on_node') ?? ''}`);
    const triggers = inputSet
      ? Array.from(inputSet.getElementsByTagName('trigger')).map((t) =>
          (Array.from(t.childNodes).find((n) => n.nodeType === 1) as Element).getAttribute('id')!,
        )
      : [];
    inputs.set(id, triggers);
  }
  const idsOf = (op: string) => [...keyById].filter(([, k]) => k.startsWith(`${op}@`)).map(([id]) => id);
  /** true when `before` is among the (transitive) inputs of `after`. */
  const precedes = (before: string, after: string) => {
    const targets = new Set(idsOf(before));
    const stack = idsOf(after);
    const seen = new Set<string>();
    while (stack.length) {
      const id = stack.pop()!;
      for (const input of inputs.get(id) ?? []) {
        if (targets.has(input)) return true;
        if (!seen.has(input)) {
          seen.add(input);
          stack.push(input);
        }
      }
    }
    return false;
  };
  const actions = [...keyById.values()];
  return { precedes, actions };
}

peer('controller configuration, checked with Pacemaker itself', () => {
  let dir: string;
  const description = parse(readFileSync(join(ROOT, 'deploy/pacemaker/controller.yaml'), 'utf8'));
  const services: Array<{ name: string; after?: string[] }> = description.services;
  const locate = (cib: string, rsc: string) =>
    spawnSync('crm_resource', ['--locate', '-r', rsc], { encoding: 'utf8', env: { ...process.env, CIB_file: cib } }).stdout.trim();
  const simulate = (args: string[]) => spawnSync('crm_simulate', args, { encoding: 'utf8', cwd: dir });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-render-'));
    const out = execFileSync(
      process.execPath,
      [join(ROOT, 'dist/apps/ha-cli/src/main.js'), 'render', join(ROOT, 'deploy/pacemaker/controller.yaml'), '--out', dir],
      { encoding: 'utf8' },
    );
    expect(out).toContain(`${services.length} services`);
    // Both nodes join with quorum: the cluster as it is before any failure.
    const up = simulate(['-x', 'cib.xml', '-S', '-u', 'ctrl1', '-u', 'ctrl2', '-q', 'true', '-O', 's1.xml', '-G', 'g1.xml']);
    expect(up.status).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('matches what is committed under deploy/pacemaker/rendered (re-render after changing the generator or the description)', () => {
    for (const file of ['cib.xml', 'cib-simulate.xml', 'crm.sh', 'pcs.sh', 'RUNBOOK.md']) {
      expect([file, readFileSync(join(ROOT, 'deploy/pacemaker/rendered', file), 'utf8')]).toEqual([
        file,
        readFileSync(join(dir, file), 'utf8'),
      ]);
    }
  });

  it('crm_verify accepts the generated CIB, and refuses a broken one', () => {
    const ok = spawnSync('crm_verify', ['--xml-file', join(dir, 'cib-simulate.xml'), '-V'], { encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const broken = readFileSync(join(dir, 'cib-simulate.xml'), 'utf8').replace('first="g-mysql"', 'first="g-no-such-group"');
    writeFileSync(join(dir, 'broken.xml'), broken);
    const bad = spawnSync('crm_verify', ['--xml-file', join(dir, 'broken.xml')], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('g-no-such-group');
  });

  it('starts every VIP before its service, and dependencies (databases, AMQP) before the APIs', () => {
    const g = graph(join(dir, 'g1.xml'));
    for (const s of services) {
      expect(g.precedes(`vip-${s.name}_start_0`, `svc-${s.name}_start_0`)).toBe(true);
      for (const dep of s.after ?? [])
        expect([`svc-${dep} before svc-${s.name}`, g.precedes(`svc-${dep}_start_0`, `svc-${s.name}_start_0`)]).toEqual([
          `svc-${dep} before svc-${s.name}`,
          true,
        ]);
    }
    expect(g.precedes('svc-mysql_start_0', 'svc-keystone_start_0')).toBe(true);
    expect(g.precedes('svc-rabbitmq_start_0', 'svc-nova-api_start_0')).toBe(true);
    expect(g.precedes('svc-keystone_start_0', 'svc-mysql_start_0')).toBe(false);
  });

  it('with ctrl1 failed, fences it and runs every group on ctrl2', () => {
    const fail = simulate(['-x', 's1.xml', '-S', '--node-fail', 'ctrl1', '-O', 's2.xml', '-G', 'g2.xml']);
    expect(fail.status).toBe(0);
    expect(fail.stdout).toMatch(/Fence \(reboot\) ctrl1/);
    for (const s of services) expect(locate(join(dir, 's2.xml'), `g-${s.name}`)).toBe(`resource g-${s.name} is running on: ctrl2`);
    const g = graph(join(dir, 'g2.xml'));
    // Whatever moved starts VIP first, then the service, on ctrl2.
    const moved = services.filter((s) => g.actions.includes(`svc-${s.name}_start_0@ctrl2`));
    expect(moved.length).toBeGreaterThan(0);
    for (const s of moved) expect(g.precedes(`vip-${s.name}_start_0`, `svc-${s.name}_start_0`)).toBe(true);
  });

  it('restarts a service in place when its monitor fails', () => {
    const where = locate(join(dir, 's1.xml'), 'g-keystone').split(': ')[1];
    const failed = simulate(['-x', 's1.xml', '-S', '-i', `svc-keystone_monitor_10000@${where}=7`, '-G', 'g3.xml']);
    expect(failed.status).toBe(0);
    const g = graph(join(dir, 'g3.xml'));
    expect(g.actions).toEqual(expect.arrayContaining([`svc-keystone_stop_0@${where}`, `svc-keystone_start_0@${where}`]));
    expect(g.precedes(`svc-keystone_stop_0`, `svc-keystone_start_0`)).toBe(true);
  });

  it('the crm script follows the install order of the INFN-CNAF controller design', () => {
    const crm = readFileSync(join(dir, 'crm.sh'), 'utf8');
    const at = (text: string) => crm.indexOf(text);
    expect(at('crm configure primitive vip-mysql')).toBeLessThan(at('crm node standby ctrl2'));
    expect(at('crm node standby ctrl2')).toBeLessThan(at('crm configure group g-mysql'));
    expect(at('crm configure group g-aai-bridge')).toBeLessThan(at('crm node online ctrl2'));
  });
});
