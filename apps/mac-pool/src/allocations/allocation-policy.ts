import type { Pool } from '../pools/pool';

/** What the hook tells us about the port that needs a MAC. */
export interface PortRequest {
  portId: string;
  networkId?: string;
  projectId?: string;
  deviceId?: string;
  deviceOwner?: string;
  hostname?: string;
  availabilityZone?: string;
  mac?: string;
}

const admitsValue = (allowed: string[], value: string | undefined) =>
  allowed.length === 0 || (value !== undefined && allowed.includes(value));

/** A pool admits a port when each non-empty scope list names the port's value. */
export function admits(pool: Pool, port: PortRequest): boolean {
  return (
    admitsValue(pool.scope.networkIds, port.networkId) &&
    admitsValue(pool.scope.projectIds, port.projectId) &&
    admitsValue(pool.scope.availabilityZones, port.availabilityZone)
  );
}

/** The pools that may serve the port, in the order they are tried: priority high first, then name. */
export function admittingPools(pools: Pool[], port: PortRequest): Pool[] {
  return pools.filter((p) => admits(p, port)).sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
}
