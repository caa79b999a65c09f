import { DOMParser } from '@xmldom/xmldom';

/**
 * What a CIB's configuration means, without what tools choose freely (element ids of nvpairs,
 * ops and constraints, attribute order, "10" vs "10s"), so that the configurations written by
 * cibadmin, `crm configure` and `pcs` can be compared. Properties Pacemaker maintains itself
 * (dc-version, cluster-infrastructure, have-watchdog, cluster-name from corosync.conf) and
 * maintenance-mode (set by the test around the scripts) are left out; so are node attributes
 * (standby comes and goes during the scripts).
 */
export interface CibSummary {
  properties: Record<string, string>;
  rscDefaults: Record<string, string>;
  primitives: Record<string, { agent: string; params: Record<string, string>; meta: Record<string, string>; ops: string[] }>;
  groups: Record<string, string[]>;
  clones: Record<string, string>;
  orders: string[];
  locations: string[];
}

const MAINTAINED = new Set([
  'dc-version',
  'cluster-infrastructure',
  'have-watchdog',
  'cluster-name',
  'maintenance-mode',
  'last-lrm-refresh',
]);

const children = (el: Element, name?: string): Element[] =>
  Array.from(el.childNodes as unknown as ArrayLike<Node>).filter(
    (n): n is Element => n.nodeType === 1 && (!name || (n as Element).tagName === name),
  );

/** An attribute's value, undefined when absent (xmldom answers "" for a missing one). */
const attr = (el: Element, name: string) => (el.hasAttribute(name) ? el.getAttribute(name)! : undefined);

function nvpairs(parent: Element | undefined, tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const set of parent ? children(parent, tag) : [])
    for (const nv of children(set, 'nvpair')) out[nv.getAttribute('name')!] = nv.getAttribute('value') ?? '';
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** "20s", "20", "20000ms", "1min" → seconds. */
function seconds(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const m = /^(\d+)\s*(ms|msec|s|sec|m|min|h|hr)?$/.exec(v.trim());
  if (!m) return NaN;
  const scale: Record<string, number> = { ms: 0.001, msec: 0.001, s: 1, sec: 1, m: 60, min: 60, h: 3600, hr: 3600 };
  return Number(m[1]) * scale[m[2] ?? 's'];
}

function primitive(p: Element): CibSummary['primitives'][string] {
  const provider = attr(p, 'provider');
  const operations = children(p, 'operations')[0];
  const ops = (operations ? children(operations, 'op') : []).map((op) => {
    const timeout = seconds(attr(op, 'timeout'));
    const params = Object.entries(nvpairs(op, 'instance_attributes')).map(([k, v]) => ` ${k}=${v}`);
    return `${attr(op, 'name')} interval=${seconds(attr(op, 'interval')) ?? 0}s${timeout === undefined ? '' : ` timeout=${timeout}s`}${params.join('')}`;
  });
  return {
    agent: [attr(p, 'class'), provider, attr(p, 'type')].filter(Boolean).join(':'),
    params: nvpairs(p, 'instance_attributes'),
    meta: nvpairs(p, 'meta_attributes'),
    ops: ops.sort(),
  };
}

export function summarizeCib(xml: string): CibSummary {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const configuration = doc.getElementsByTagName('configuration')[0];
  if (!configuration) throw new Error(`no <configuration> in: ${xml.slice(0, 200)}`);
  const section = (name: string) => children(configuration, name)[0];
  const properties = Object.fromEntries(
    Object.entries(nvpairs(section('crm_config'), 'cluster_property_set')).filter(([k]) => !MAINTAINED.has(k)),
  );
  const summary: CibSummary = {
    properties,
    rscDefaults: nvpairs(section('rsc_defaults'), 'meta_attributes'),
    primitives: {},
    groups: {},
    clones: {},
    orders: [],
    locations: [],
  };
  const addPrimitive = (p: Element) => (summary.primitives[p.getAttribute('id')!] = primitive(p));
  for (const r of section('resources') ? children(section('resources')) : []) {
    const id = r.getAttribute('id')!;
    if (r.tagName === 'primitive') addPrimitive(r);
    else if (r.tagName === 'group') summary.groups[id] = children(r, 'primitive').map((p) => (addPrimitive(p), p.getAttribute('id')!));
    else if (r.tagName === 'clone') {
      const [p] = children(r, 'primitive');
      addPrimitive(p);
      summary.clones[id] = p.getAttribute('id')!;
    } else throw new Error(`unexpected resource element <${r.tagName}>`);
  }
  for (const c of section('constraints') ? children(section('constraints')) : []) {
    if (c.tagName === 'rsc_order') {
      const kind = attr(c, 'kind') ?? (attr(c, 'score') === '0' ? 'Optional' : 'Mandatory');
      const firstAction = attr(c, 'first-action') ?? 'start';
      summary.orders.push(`${attr(c, 'first')}:${firstAction} then ${attr(c, 'then')}:${attr(c, 'then-action') ?? firstAction} (${kind})`);
    } else if (c.tagName === 'rsc_location') {
      const score = (attr(c, 'score') ?? '').replace(/^-inf(inity)?$/i, '-INFINITY').replace(/^\+?inf(inity)?$/i, 'INFINITY');
      summary.locations.push(`${attr(c, 'rsc')} on ${attr(c, 'node')}: ${score}`);
    } else throw new Error(`unexpected constraint <${c.tagName}>`);
  }
  summary.orders.sort();
  summary.locations.sort();
  return summary;
}
