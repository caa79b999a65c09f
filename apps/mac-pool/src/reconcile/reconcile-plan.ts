/** A port as Neutron lists it. */
export interface NeutronPort {
  id: string;
  mac: string;
  deviceOwner: string;
}

/** A live allocation as the pool database holds it. */
export interface LiveAllocation {
  portId: string;
  mac: string;
  state: 'reserved' | 'allocated';
  stateChangedAt: Date;
}

/** A pool MAC seen on a Neutron port, with what the pool says of it. */
export interface PoolMacOnPort {
  mac: string;
  state: string;
  portId: string | null;
}

export interface ReconcilePlan {
  /** Allocations whose port no longer exists (past the grace period): release them. */
  release: LiveAllocation[];
  /** Reservations whose port exists with that MAC (the hook's commit was lost): commit them. */
  commit: LiveAllocation[];
  /** Allocations whose port exists but carries another MAC: reported, not changed. */
  macMismatch: Array<{ portId: string; allocatedMac: string; portMac: string }>;
  /** Ports carrying a pool MAC that no allocation gives them: reported, not changed. */
  unallocatedPoolMacs: Array<{ portId: string; mac: string; poolState: string; allocatedTo: string | null }>;
}

/**
 * Compares Neutron's ports with the live allocations. Pure: the caller lists both sides and
 * applies the plan. Young allocations are left alone: their port may still be in creation.
 */
export function planReconcile(
  ports: NeutronPort[],
  allocations: LiveAllocation[],
  poolMacsOnPorts: PoolMacOnPort[],
  now: Date,
  graceSeconds: number,
): ReconcilePlan {
  const portById = new Map(ports.map((p) => [p.id, p]));
  const plan: ReconcilePlan = { release: [], commit: [], macMismatch: [], unallocatedPoolMacs: [] };
  const oldEnough = (a: LiveAllocation) => now.getTime() - a.stateChangedAt.getTime() >= graceSeconds * 1000;
  for (const a of allocations) {
    const port = portById.get(a.portId);
    if (!port) {
      if (oldEnough(a)) plan.release.push(a);
    } else if (port.mac !== a.mac) {
      plan.macMismatch.push({ portId: a.portId, allocatedMac: a.mac, portMac: port.mac });
    } else if (a.state === 'reserved') {
      plan.commit.push(a);
    }
  }
  const macByPort = new Map(allocations.map((a) => [a.portId, a.mac]));
  const portsByMac = new Map<string, NeutronPort[]>();
  for (const p of ports) portsByMac.set(p.mac, [...(portsByMac.get(p.mac) ?? []), p]);
  for (const m of poolMacsOnPorts) {
    for (const port of portsByMac.get(m.mac) ?? []) {
      if (macByPort.get(port.id) === m.mac) continue;
      plan.unallocatedPoolMacs.push({ portId: port.id, mac: m.mac, poolState: m.state, allocatedTo: m.portId });
    }
  }
  return plan;
}
