import { ClusterError, startOrder, validateCluster } from './cluster';
import { renderCib, renderCrmScript, renderPcsScript } from './render';

const base = () => ({
  name: 'pair',
  nodes: ['ctrl1', 'ctrl2'],
  fencing: { agent: 'stonith:fence_dummy' },
  network: { cidrNetmask: 24 },
  services: [
    { name: 'db', agent: 'ocf:heartbeat:Dummy', vip: '10.0.0.10' },
    { name: 'api', agent: 'systemd:api', vip: '10.0.0.11', after: ['db'] },
  ],
});

const problems = (d: unknown) => {
  try {
    validateCluster(d);
    return [];
  } catch (err) {
    return (err as ClusterError).problems;
  }
};

describe('cluster description', () => {
  it('accepts a valid pair and orders services by dependency', () => {
    const d = validateCluster({ ...base(), services: [...base().services].reverse() });
    expect(startOrder(d.services).map((s) => s.name)).toEqual(['db', 'api']);
  });

  it('names an unknown service, a VIP clash, a cycle, and missing fencing', () => {
    const d = base();
    d.services.push({ name: 'web', agent: 'systemd:web', vip: '10.0.0.11', after: ['nope'] });
    expect(problems(d)).toEqual(
      expect.arrayContaining(['services[2] (web).vip: 10.0.0.11 is already the VIP of api', 'services (web).after: unknown service nope']),
    );
    const cyclic = base();
    cyclic.services[0] = { ...cyclic.services[0], after: ['api'] } as (typeof cyclic.services)[0];
    expect(problems(cyclic)).toEqual(['services: ordering cycle db -> api -> db']);
    expect(problems({ ...base(), fencing: { agent: 'none' } })).toEqual([expect.stringContaining('fencing.agent')]);
    expect(problems({ ...base(), nodes: ['only'] })).toEqual(['nodes: at least two controller nodes']);
    const badTimeouts = base();
    badTimeouts.services[0] = {
      ...badTimeouts.services[0],
      timeouts: { start: 0, restart: 5 },
    } as unknown as (typeof badTimeouts.services)[0];
    expect(problems(badTimeouts)).toEqual([
      'services[0] (db).timeouts.start: whole seconds, at least 1',
      'services[0] (db).timeouts.restart: only start, stop and monitor',
    ]);
  });

  it('renders a group per service with the VIP first, and the ordering', () => {
    const cib = renderCib(validateCluster(base()));
    expect(cib).toMatch(/<group id="g-api"><primitive id="vip-api"[^]*<primitive id="svc-api" class="systemd" type="api">/);
    expect(cib).toContain(
      '<rsc_order id="order-db-then-api" first="g-db" first-action="start" then="g-api" then-action="start" kind="Mandatory"/>',
    );
    const crm = renderCrmScript(validateCluster(base()));
    expect(crm.indexOf('crm node standby ctrl2')).toBeLessThan(crm.indexOf('crm configure group g-db'));
    expect(crm.indexOf('crm configure primitive vip-db')).toBeLessThan(crm.indexOf('crm node standby ctrl2'));
    expect(crm.trim().split('\n').pop()).toBe('crm node online ctrl2');
  });

  it('adds the deeper check as a second monitor at OCF_CHECK_LEVEL 10, in all three renderings', () => {
    const withDeep = (seconds: number) => ({
      ...base(),
      services: base().services.map((s) => (s.name === 'api' ? { ...s, deepMonitorSeconds: seconds } : s)),
    });
    const c = validateCluster(withDeep(60));
    expect(renderCib(c)).toContain(
      '<op id="svc-api-monitor-level10" name="monitor" interval="60s" timeout="30s"><instance_attributes id="svc-api-monitor-level10-params"><nvpair id="svc-api-monitor-level10-check-level" name="OCF_CHECK_LEVEL" value="10"/>',
    );
    expect(renderCrmScript(c)).toContain('op monitor interval=60s timeout=30s OCF_CHECK_LEVEL=10');
    expect(renderPcsScript(c)).toContain('op monitor interval=60s timeout=30s OCF_CHECK_LEVEL=10');
    expect(problems(withDeep(10))).toEqual([expect.stringContaining('deepMonitorSeconds')]);
  });
});
