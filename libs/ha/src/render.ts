import { ClusterDescription, ServiceDescription, startOrder } from './cluster';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const agentParts = (agent: string) => {
  const [cls, a, b] = agent.split(':');
  return b ? { cls, provider: a, type: b } : { cls, provider: undefined, type: a };
};

/** Resource ids: g-<svc> (group), vip-<svc>, svc-<svc>; fs-shared-clone for the shared filesystem. */
export const ids = (s: ServiceDescription) => ({ group: `g-${s.name}`, vip: `vip-${s.name}`, service: `svc-${s.name}` });

function nvpairs(id: string, params: Record<string, string> = {}): string {
  return Object.entries(params)
    .map(([k, v]) => `<nvpair id="${esc(`${id}-${k}`)}" name="${esc(k)}" value="${esc(v)}"/>`)
    .join('');
}

function primitive(id: string, agent: string, params: Record<string, string>, monitorSeconds: number, timeouts = { start: 60, stop: 60 }): string {
  const { cls, provider, type } = agentParts(agent);
  return (
    `<primitive id="${id}" class="${cls}"${provider ? ` provider="${provider}"` : ''} type="${type}">` +
    (Object.keys(params).length ? `<instance_attributes id="${id}-params">${nvpairs(`${id}-params`, params)}</instance_attributes>` : '') +
    `<operations><op id="${id}-start" name="start" interval="0s" timeout="${timeouts.start}s"/><op id="${id}-stop" name="stop" interval="0s" timeout="${timeouts.stop}s"/>` +
    `<op id="${id}-monitor" name="monitor" interval="${monitorSeconds}s" timeout="20s"/></operations></primitive>`
  );
}

/**
 * The whole controller as a Pacemaker CIB: fencing per node, the shared filesystem cloned on both
 * nodes, one group per service (its VIP first, so the VIP is up before the service listens),
 * ordering constraints for the dependencies (databases and AMQP before the APIs).
 */
export function renderCib(c: ClusterDescription, { nodesOnline = false } = {}): string {
  const fencing = c.nodes
    .map((n) => primitive(`fence-${n}`, c.fencing.agent, { ...c.fencing.params, ...c.fencing.perNode?.[n], pcmk_host_list: n }, 60))
    .join('');
  const shared = c.sharedStorage
    ? `<clone id="fs-shared-clone">${primitive('fs-shared', 'ocf:heartbeat:Filesystem', { device: c.sharedStorage.device, directory: c.sharedStorage.directory, fstype: c.sharedStorage.fstype, ...(c.sharedStorage.options ? { options: c.sharedStorage.options } : {}) }, 20)}</clone>`
    : '';
  const groups = startOrder(c.services)
    .map((s) => {
      const id = ids(s);
      const vipParams = { ip: s.vip, cidr_netmask: String(c.network.cidrNetmask), ...(c.network.nic ? { nic: c.network.nic } : {}) };
      return `<group id="${id.group}">${primitive(id.vip, 'ocf:heartbeat:IPaddr2', vipParams, 10, { start: 20, stop: 20 })}${primitive(id.service, s.agent, s.params ?? {}, s.monitorIntervalSeconds ?? 10)}</group>`;
    })
    .join('');
  const constraints: string[] = [];
  for (const s of c.services) {
    for (const dep of s.after ?? []) {
      constraints.push(`<rsc_order id="order-${dep}-then-${s.name}" first="g-${dep}" first-action="start" then="g-${s.name}" then-action="start" kind="Mandatory"/>`);
    }
    if (s.sharedStorage) constraints.push(`<rsc_order id="order-fs-then-${s.name}" first="fs-shared-clone" then="g-${s.name}" kind="Mandatory"/>`);
  }
  // A fence device never runs on the node it fences.
  for (const n of c.nodes) constraints.push(`<rsc_location id="loc-fence-${n}" rsc="fence-${n}" node="${n}" score="-INFINITY"/>`);
  const nodes = c.nodes.map((n, i) => `<node id="${i + 1}" uname="${n}"/>`).join('');
  // With nodesOnline (for crm_verify and crm_simulate offline), both nodes are members with quorum.
  const status = nodesOnline
    ? `<status>${c.nodes.map((n, i) => `<node_state id="${i + 1}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member"/>`).join('')}</status>`
    : '<status/>';
  return (
    `<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0"${nodesOnline ? ' have-quorum="1"' : ''}>` +
    `<configuration><crm_config><cluster_property_set id="cib-bootstrap-options">` +
    nvpairs('cib-bootstrap-options', { 'stonith-enabled': 'true', 'cluster-name': c.name }) +
    `</cluster_property_set></crm_config><nodes>${nodes}</nodes><resources>${fencing}${shared}${groups}</resources>` +
    `<constraints>${constraints.join('')}</constraints>` +
    `<rsc_defaults><meta_attributes id="rsc-defaults"><nvpair id="rsc-defaults-stickiness" name="resource-stickiness" value="100"/>` +
    `<nvpair id="rsc-defaults-failures" name="migration-threshold" value="3"/></meta_attributes></rsc_defaults>` +
    `</configuration>${status}</cib>\n`
  );
}

const paramText = (p: Record<string, string>) => Object.entries(p).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');

/**
 * The same configuration as `crm configure` commands, in the talk's install order: cluster
 * properties, VIPs, standby of n-1 nodes, (install the services), services and constraints,
 * unstandby.
 */
export function renderCrmScript(c: ClusterDescription): string {
  const [first, ...others] = c.nodes;
  const lines = [
    `# ${c.name}: generated by \`npm run ha -- render\`; apply on one controller with the cluster up.`,
    '# 1. cluster properties and fencing',
    `crm configure property stonith-enabled=true cluster-name=${c.name}`,
    ...c.nodes.map((n) => `crm configure primitive fence-${n} ${c.fencing.agent} params ${paramText({ ...c.fencing.params, ...c.fencing.perNode?.[n], pcmk_host_list: n })} op monitor interval=60s`),
    ...c.nodes.map((n) => `crm configure location loc-fence-${n} fence-${n} -inf: ${n}`),
    '# 2. the VIPs of all services',
    ...startOrder(c.services).map((s) => `crm configure primitive ${ids(s).vip} ocf:heartbeat:IPaddr2 params ${paramText({ ip: s.vip, cidr_netmask: String(c.network.cidrNetmask), ...(c.network.nic ? { nic: c.network.nic } : {}) })} op monitor interval=10s`),
    `# 3. standby every node but ${first} while the services are installed and configured`,
    ...others.map((n) => `crm node standby ${n}`),
    '# 4. (install and configure the services on every node, pointing them at their VIPs)',
    '# 5. shared storage, services in their groups, ordering',
    ...(c.sharedStorage
      ? [
          `crm configure primitive fs-shared ocf:heartbeat:Filesystem params ${paramText({ device: c.sharedStorage.device, directory: c.sharedStorage.directory, fstype: c.sharedStorage.fstype })} op monitor interval=20s`,
          'crm configure clone fs-shared-clone fs-shared',
        ]
      : []),
    ...startOrder(c.services).flatMap((s) => {
      const id = ids(s);
      return [
        `crm configure primitive ${id.service} ${s.agent}${s.params && Object.keys(s.params).length ? ` params ${paramText(s.params)}` : ''} op monitor interval=${s.monitorIntervalSeconds ?? 10}s`,
        `crm configure group ${id.group} ${id.vip} ${id.service}`,
        ...(s.after ?? []).map((d) => `crm configure order order-${d}-then-${s.name} Mandatory: g-${d} ${id.group}`),
        ...(s.sharedStorage ? [`crm configure order order-fs-then-${s.name} Mandatory: fs-shared-clone ${id.group}`] : []),
      ];
    }),
    '# 6. bring the other nodes back',
    ...others.map((n) => `crm node online ${n}`),
    '',
  ];
  return lines.join('\n');
}

/** The same with pcs. */
export function renderPcsScript(c: ClusterDescription): string {
  const [first, ...others] = c.nodes;
  const lines = [
    `# ${c.name}: generated by \`npm run ha -- render\`.`,
    `pcs property set stonith-enabled=true`,
    ...c.nodes.map((n) => `pcs stonith create fence-${n} ${c.fencing.agent.replace(/^stonith:/, '')} ${Object.entries({ ...c.fencing.params, ...c.fencing.perNode?.[n], pcmk_host_list: n }).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`),
    ...c.nodes.map((n) => `pcs constraint location fence-${n} avoids ${n}`),
    ...startOrder(c.services).map((s) => `pcs resource create ${ids(s).vip} ocf:heartbeat:IPaddr2 ip=${s.vip} cidr_netmask=${c.network.cidrNetmask}${c.network.nic ? ` nic=${c.network.nic}` : ''} op monitor interval=10s --group ${ids(s).group}`),
    `# standby every node but ${first} while installing`,
    ...others.map((n) => `pcs node standby ${n}`),
    ...(c.sharedStorage ? [`pcs resource create fs-shared ocf:heartbeat:Filesystem device=${JSON.stringify(c.sharedStorage.device)} directory=${c.sharedStorage.directory} fstype=${c.sharedStorage.fstype} clone`] : []),
    ...startOrder(c.services).flatMap((s) => [
      `pcs resource create ${ids(s).service} ${s.agent}${s.params ? ` ${Object.entries(s.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}` : ''} op monitor interval=${s.monitorIntervalSeconds ?? 10}s --group ${ids(s).group}`,
      ...(s.after ?? []).map((d) => `pcs constraint order start g-${d} then start ${ids(s).group}`),
      ...(s.sharedStorage ? [`pcs constraint order start fs-shared-clone then start ${ids(s).group}`] : []),
    ]),
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
    '## Install (the order of the controller talk)',
    '1. Build the cluster (corosync + pacemaker on every node), fencing on.',
    '2. Add the VIPs of all services (crm.sh step 2).',
    `3. Put ${c.nodes.slice(1).join(', ')} in standby.`,
    '4. Install and configure every service on every node, addressing the others only by VIP.',
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
