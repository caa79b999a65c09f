/** The controller pair, described once (deploy/pacemaker/controller.yaml). */
export interface ClusterDescription {
  name: string;
  nodes: string[];
  /** Fencing per node: a stonith agent and its parameters (fence_ipmilan in production). */
  fencing: { agent: string; params?: Record<string, string>; perNode?: Record<string, Record<string, string>> };
  network: { nic?: string; cidrNetmask: number };
  sharedStorage?: { device: string; directory: string; fstype: string; options?: string };
  services: ServiceDescription[];
}

export interface ServiceDescription {
  name: string;
  /** class:provider:type or class:type, e.g. ocf:heartbeat:mysql, systemd:glance-api. */
  agent: string;
  vip: string;
  params?: Record<string, string>;
  /** Services that must run (and be started) before this one. */
  after?: string[];
  /** Needs the shared filesystem mounted where it runs. */
  sharedStorage?: boolean;
  monitorIntervalSeconds?: number;
  /** A second monitor at OCF_CHECK_LEVEL 10 (the agent's deeper check) every this many seconds. */
  deepMonitorSeconds?: number;
  /** Operation timeouts in seconds (default start 60, stop 60, monitor 20): follow the agent's advice. */
  timeouts?: { start?: number; stop?: number; monitor?: number };
}

export class ClusterError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid cluster description:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const NAME = /^[a-z][a-z0-9-]{0,40}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Checks a description read from YAML; every problem is named, none is silently fixed. */
export function validateCluster(input: unknown): ClusterDescription {
  const d = input as ClusterDescription;
  const problems: string[] = [];
  if (!d || typeof d !== 'object') throw new ClusterError(['the description must be a mapping']);
  if (!d.name || !NAME.test(d.name)) problems.push('name: lower-case letters, digits and dashes');
  if (!Array.isArray(d.nodes) || d.nodes.length < 2) problems.push('nodes: at least two controller nodes');
  if (!d.fencing?.agent?.startsWith('stonith:'))
    problems.push('fencing.agent: a stonith: agent (fencing is mandatory for an active/passive pair)');
  if (!Number.isInteger(d.network?.cidrNetmask) || d.network.cidrNetmask < 8 || d.network.cidrNetmask > 32)
    problems.push('network.cidrNetmask: 8-32');
  const services = Array.isArray(d.services) ? d.services : [];
  if (!services.length) problems.push('services: at least one');
  const names = new Set<string>();
  const vips = new Map<string, string>();
  for (const [i, s] of services.entries()) {
    const where = `services[${i}]${s?.name ? ` (${s.name})` : ''}`;
    if (!s?.name || !NAME.test(s.name)) problems.push(`${where}.name: lower-case letters, digits and dashes`);
    else if (names.has(s.name)) problems.push(`${where}.name: ${s.name} is described twice`);
    else names.add(s.name);
    if (!/^(ocf:[\w-]+:[\w-]+|systemd:[\w@.-]+|lsb:[\w.-]+)$/.test(s?.agent ?? ''))
      problems.push(`${where}.agent: ocf:provider:type, systemd:unit or lsb:script`);
    if (!IPV4.test(s?.vip ?? '')) problems.push(`${where}.vip: an IPv4 address`);
    else if (vips.has(s.vip)) problems.push(`${where}.vip: ${s.vip} is already the VIP of ${vips.get(s.vip)}`);
    else vips.set(s.vip, s.name);
    if (s?.sharedStorage && !d.sharedStorage) problems.push(`${where}.sharedStorage: no sharedStorage is described`);
    if (
      s?.deepMonitorSeconds !== undefined &&
      (!Number.isInteger(s.deepMonitorSeconds) || s.deepMonitorSeconds < 1 || s.deepMonitorSeconds === (s.monitorIntervalSeconds ?? 10))
    ) {
      problems.push(`${where}.deepMonitorSeconds: whole seconds, at least 1, not the interval of the plain monitor`);
    }
    for (const [op, v] of Object.entries(s?.timeouts ?? {})) {
      if (!['start', 'stop', 'monitor'].includes(op)) problems.push(`${where}.timeouts.${op}: only start, stop and monitor`);
      else if (!Number.isInteger(v) || v < 1) problems.push(`${where}.timeouts.${op}: whole seconds, at least 1`);
    }
  }
  for (const s of services)
    for (const dep of s.after ?? []) if (!names.has(dep)) problems.push(`services (${s.name}).after: unknown service ${dep}`);
  const cycle = findCycle(services);
  if (cycle) problems.push(`services: ordering cycle ${cycle.join(' -> ')}`);
  if (problems.length) throw new ClusterError(problems);
  return d;
}

function findCycle(services: ServiceDescription[]): string[] | null {
  const deps = new Map(services.map((s) => [s.name, s.after ?? []]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'visiting') return [...path.slice(path.indexOf(n)), n];
    state.set(n, 'visiting');
    path.push(n);
    for (const d of deps.get(n) ?? []) {
      const c = deps.has(d) ? visit(d) : null;
      if (c) return c;
    }
    path.pop();
    state.set(n, 'done');
    return null;
  };
  for (const s of services) {
    const c = visit(s.name);
    if (c) return c;
  }
  return null;
}

/** Services in start order (dependencies first; ties by description order). */
export function startOrder(services: ServiceDescription[]): ServiceDescription[] {
  const done = new Set<string>();
  const out: ServiceDescription[] = [];
  const add = (s: ServiceDescription) => {
    if (done.has(s.name)) return;
    done.add(s.name);
    for (const d of s.after ?? []) add(services.find((x) => x.name === d)!);
    out.push(s);
  };
  services.forEach(add);
  return out;
}
