import { ClusterDescription, ServiceDescription, startOrder } from './cluster';

/** Resource ids: g-<svc> (group), vip-<svc>, svc-<svc>; fs-shared-clone for the shared filesystem. */
export const ids = (s: ServiceDescription) => ({ group: `g-${s.name}`, vip: `vip-${s.name}`, service: `svc-${s.name}` });

/**
 * One resource as all three renderings (CIB, crm, pcs) write it: every operation with its
 * timeout spelled out, so no tool fills in defaults of its own (pcs would copy the agent's
 * advisory timeouts, crm none) and the three configurations are the same.
 */
interface Primitive {
  id: string;
  agent: string;
  params: Record<string, string>;
  ops: { name: 'start' | 'stop' | 'monitor'; interval: number; timeout: number; checkLevel?: number }[];
}

const primitive = (
  id: string,
  agent: string,
  params: Record<string, string>,
  monitorSeconds: number,
  timeouts: ServiceDescription['timeouts'] = {},
): Primitive => ({
  id,
  agent,
  params,
  ops: [
    { name: 'start', interval: 0, timeout: timeouts.start ?? 60 },
    { name: 'stop', interval: 0, timeout: timeouts.stop ?? 60 },
    { name: 'monitor', interval: monitorSeconds, timeout: timeouts.monitor ?? 20 },
  ],
});

/** The agent's deeper check (OCF_CHECK_LEVEL 10), less often; 30 s as our agents advise. */
const withDeepMonitor = (p: Primitive, seconds?: number): Primitive =>
  seconds ? { ...p, ops: [...p.ops, { name: 'monitor', interval: seconds, timeout: 30, checkLevel: 10 }] } : p;

/** Resource defaults: stay where running (no move back after a failover); move after 3 failures. */
const RSC_DEFAULTS = { 'resource-stickiness': '100', 'migration-threshold': '3' };

/** The whole controller as resources and constraints; groups in start order (dependencies first). */
function model(c: ClusterDescription) {
  const fencing = c.nodes.map((n) =>
    primitive(`fence-${n}`, c.fencing.agent, { ...c.fencing.params, ...c.fencing.perNode?.[n], pcmk_host_list: n }, 60),
  );
  const ss = c.sharedStorage;
  const shared = ss
    ? // Timeouts as Filesystem's metadata advises.
      primitive(
        'fs-shared',
        'ocf:heartbeat:Filesystem',
        { device: ss.device, directory: ss.directory, fstype: ss.fstype, ...(ss.options ? { options: ss.options } : {}) },
        20,
        { monitor: 40 },
      )
    : undefined;
  const groups = startOrder(c.services).map((s) => {
    const id = ids(s);
    const vipParams = { ip: s.vip, cidr_netmask: String(c.network.cidrNetmask), ...(c.network.nic ? { nic: c.network.nic } : {}) };
    return {
      id: id.group,
      vip: primitive(id.vip, 'ocf:heartbeat:IPaddr2', vipParams, 10, { start: 20, stop: 20 }),
      primitive: withDeepMonitor(
        primitive(id.service, s.agent, s.params ?? {}, s.monitorIntervalSeconds ?? 10, s.timeouts),
        s.deepMonitorSeconds,
      ),
      // Dependencies first (databases and AMQP before the APIs); the shared filesystem before its users.
      orders: [
        ...(s.after ?? []).map((d) => ({ id: `order-${d}-then-${s.name}`, first: `g-${d}` })),
        ...(s.sharedStorage ? [{ id: `order-fs-then-${s.name}`, first: 'fs-shared-clone' }] : []),
      ],
    };
  });
  return { fencing, shared, groups };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const agentParts = (agent: string) => {
  const [cls, a, b] = agent.split(':');
  return b ? { cls, provider: a, type: b } : { cls, provider: undefined, type: a };
};

function nvpairs(id: string, params: Record<string, string> = {}): string {
  return Object.entries(params)
    .map(([k, v]) => `<nvpair id="${esc(`${id}-${k}`)}" name="${esc(k)}" value="${esc(v)}"/>`)
    .join('');
}

function opXml(primitiveId: string, o: Primitive['ops'][number]): string {
  const id = `${primitiveId}-${o.name}${o.checkLevel ? `-level${o.checkLevel}` : ''}`;
  const attrs = `id="${id}" name="${o.name}" interval="${o.interval}s" timeout="${o.timeout}s"`;
  if (!o.checkLevel) return `<op ${attrs}/>`;
  return `<op ${attrs}><instance_attributes id="${id}-params"><nvpair id="${id}-check-level" name="OCF_CHECK_LEVEL" value="${o.checkLevel}"/></instance_attributes></op>`;
}

function primitiveXml(p: Primitive): string {
  const { cls, provider, type } = agentParts(p.agent);
  return (
    `<primitive id="${p.id}" class="${cls}"${provider ? ` provider="${provider}"` : ''} type="${type}">` +
    (Object.keys(p.params).length
      ? `<instance_attributes id="${p.id}-params">${nvpairs(`${p.id}-params`, p.params)}</instance_attributes>`
      : '') +
    `<operations>${p.ops.map((o) => opXml(p.id, o)).join('')}</operations></primitive>`
  );
}

/**
 * The whole controller as a Pacemaker CIB: fencing per node, the shared filesystem cloned on both
 * nodes, one group per service (its VIP first, so the VIP is up before the service listens),
 * ordering constraints for the dependencies (databases and AMQP before the APIs).
 */
export function renderCib(c: ClusterDescription, { nodesOnline = false } = {}): string {
  const m = model(c);
  const shared = m.shared ? `<clone id="fs-shared-clone">${primitiveXml(m.shared)}</clone>` : '';
  const groups = m.groups.map((g) => `<group id="${g.id}">${primitiveXml(g.vip)}${primitiveXml(g.primitive)}</group>`).join('');
  const constraints = [
    ...m.groups.flatMap((g) =>
      g.orders.map(
        (o) => `<rsc_order id="${o.id}" first="${o.first}" first-action="start" then="${g.id}" then-action="start" kind="Mandatory"/>`,
      ),
    ),
    // A fence device never runs on the node it fences.
    ...c.nodes.map((n) => `<rsc_location id="loc-fence-${n}" rsc="fence-${n}" node="${n}" score="-INFINITY"/>`),
  ];
  const nodes = c.nodes.map((n, i) => `<node id="${i + 1}" uname="${n}"/>`).join('');
  // With nodesOnline (for crm_verify and crm_simulate offline), both nodes are members with quorum.
  const status = nodesOnline
    ? `<status>${c.nodes.map((n, i) => `<node_state id="${i + 1}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member"/>`).join('')}</status>`
    : '<status/>';
  return (
    `<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0"${nodesOnline ? ' have-quorum="1"' : ''}>` +
    `<configuration><crm_config><cluster_property_set id="cib-bootstrap-options">` +
    nvpairs('cib-bootstrap-options', { 'stonith-enabled': 'true', 'cluster-name': c.name }) +
    `</cluster_property_set></crm_config><nodes>${nodes}</nodes><resources>${m.fencing.map(primitiveXml).join('')}${shared}${groups}</resources>` +
    `<constraints>${constraints.join('')}</constraints>` +
    `<rsc_defaults><meta_attributes id="rsc-defaults">${nvpairs('rsc-defaults', RSC_DEFAULTS)}</meta_attributes></rsc_defaults>` +
    `</configuration>${status}</cib>\n`
  );
}

/** A word for the shell that runs the scripts: bare when safe, else single-quoted. */
const sh = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);
const keyValues = (p: Record<string, string>) => Object.entries(p).map(([k, v]) => sh(`${k}=${v}`));
const opWords = (p: Primitive) =>
  p.ops.flatMap((o) => [
    'op',
    o.name,
    `interval=${o.interval}s`,
    `timeout=${o.timeout}s`,
    ...(o.checkLevel ? [`OCF_CHECK_LEVEL=${o.checkLevel}`] : []),
  ]);

/**
 * The same configuration as `crm configure` commands, in the install order of the INFN-CNAF
 * controller design (docs/ARCHITECTURE.md): cluster properties, VIPs, standby of n-1 nodes,
 * (install the services), services and constraints, unstandby.
 */
export function renderCrmScript(c: ClusterDescription): string {
  const m = model(c);
  const [first, ...others] = c.nodes;
  const crmPrimitive = (p: Primitive) =>
    [
      'crm configure primitive',
      p.id,
      p.agent,
      ...(Object.keys(p.params).length ? ['params', ...keyValues(p.params)] : []),
      ...opWords(p),
    ].join(' ');
  const lines = [
    `# ${c.name}: generated by \`npm run ha -- render\`; apply on one controller with the cluster up.`,
    '# 1. cluster properties, resource defaults and fencing',
    `crm configure property stonith-enabled=true cluster-name=${sh(c.name)}`,
    `crm configure rsc_defaults ${keyValues(RSC_DEFAULTS).join(' ')}`,
    ...m.fencing.map(crmPrimitive),
    ...c.nodes.map((n) => `crm configure location loc-fence-${n} fence-${n} -inf: ${n}`),
    '# 2. the VIPs of all services',
    ...m.groups.map((g) => crmPrimitive(g.vip)),
    `# 3. standby every node but ${first} while the services are installed and configured`,
    ...others.map((n) => `crm node standby ${n}`),
    '# 4. (install and configure the services on every node, pointing them at their VIPs)',
    '# 5. shared storage, services in their groups, ordering',
    ...(m.shared ? [crmPrimitive(m.shared), 'crm configure clone fs-shared-clone fs-shared'] : []),
    ...m.groups.flatMap((g) => [
      crmPrimitive(g.primitive),
      `crm configure group ${g.id} ${g.vip.id} ${g.primitive.id}`,
      ...g.orders.map((o) => `crm configure order ${o.id} Mandatory: ${o.first} ${g.id}`),
    ]),
    '# 6. bring the other nodes back',
    ...others.map((n) => `crm node online ${n}`),
    '',
  ];
  return lines.join('\n');
}

/** The same with pcs (--no-default-ops: only the operations written here). */
export function renderPcsScript(c: ClusterDescription): string {
  const m = model(c);
  const [first, ...others] = c.nodes;
  const pcsCreate = (p: Primitive, where: string[]) => {
    const stonith = p.agent.startsWith('stonith:');
    return [
      stonith ? 'pcs stonith create' : 'pcs resource create',
      p.id,
      stonith ? p.agent.slice('stonith:'.length) : p.agent,
      ...keyValues(p.params),
      ...opWords(p),
      ...where,
      '--no-default-ops',
    ].join(' ');
  };
  const lines = [
    `# ${c.name}: generated by \`npm run ha -- render\`; apply on one controller with the cluster up.`,
    '# 1. cluster properties, resource defaults and fencing',
    'pcs property set stonith-enabled=true',
    `pcs resource defaults update ${keyValues(RSC_DEFAULTS).join(' ')}`,
    ...m.fencing.map((p) => pcsCreate(p, [])),
    ...c.nodes.map((n) => `pcs constraint location fence-${n} avoids ${n}`),
    '# 2. the VIPs of all services',
    ...m.groups.map((g) => pcsCreate(g.vip, ['--group', g.id])),
    `# 3. standby every node but ${first} while the services are installed and configured`,
    ...others.map((n) => `pcs node standby ${n}`),
    '# 4. (install and configure the services on every node, pointing them at their VIPs)',
    '# 5. shared storage, services in their groups, ordering',
    ...(m.shared ? [pcsCreate(m.shared, ['clone'])] : []),
    ...m.groups.flatMap((g) => [
      pcsCreate(g.primitive, ['--group', g.id]),
      ...g.orders.map((o) => `pcs constraint order start ${o.first} then start ${g.id}`),
    ]),
    '# 6. bring the other nodes back',
    ...others.map((n) => `pcs node unstandby ${n}`),
    '',
  ];
  return lines.join('\n');
}

export function renderRunbook(c: ClusterDescription): string {
  const order = startOrder(c.services);
  return [
    `# Runbook: ${c.name}`,
    '',
    `Nodes: ${c.nodes.join(', ')}. Every service runs active/passive in its own group, VIP first; fencing: ${c.fencing.agent}.`,
    '',
    '| service | VIP | agent | starts after |',
    '| --- | --- | --- | --- |',
    ...order.map((s) => `| ${s.name} | ${s.vip} | ${s.agent} | ${(s.after ?? []).join(', ') || '-'} |`),
    '',
    '## Install (the order of the INFN-CNAF controller design, docs/ARCHITECTURE.md)',
    '1. Build the cluster (corosync + pacemaker on every node), fencing on.',
    '2. Add the VIPs of all services (crm.sh step 2).',
    `3. Put ${c.nodes.slice(1).join(', ')} in standby.`,
    `4. Install and configure every service on ${c.nodes[0]}, the one active node, then repeat the installation on ${c.nodes.slice(1).join(', ')}; services address each other only by VIP.`,
    '5. Add the services and the ordering constraints (crm.sh step 5); check with `crm_verify -L -V`.',
    `6. Unstandby ${c.nodes.slice(1).join(', ')}.`,
    '',
    '## Operate',
    '- Where does X run: `crm_resource --locate -r g-X`. Move it: `crm_resource --move -r g-X -N node` then `--clear`.',
    '- A failed monitor restarts the service in place; after 3 failures (migration-threshold) it moves.',
    '- A node that stops answering is fenced, then its groups start on the other node in dependency order.',
    '',
  ].join('\n');
}
