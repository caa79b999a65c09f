import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { MacFormatError, hostnameKey, normaliseMac } from '@app/mac';
import { DomainError, MetricsRegistry, Principal } from '@app/platform';
import { PortRequest, admittingPools } from './allocation-policy';
import { AllocationRepository, AllocationRow, PortAlreadyHasMac } from './allocation.repository';
import { Pool } from '../pools/pool';
import { PoolService } from '../pools/pool.service';

export interface Allocation {
  portId: string;
  mac: string;
  pool: string;
  state: 'reserved' | 'allocated';
  hostname?: string;
  ipv4?: string;
  ipv6?: string;
  expiresAt: Date | null;
}

export interface AllocationOutcome {
  allocation: Allocation;
  /** false when the port already had this MAC (idempotent retry): HTTP 200 instead of 201. */
  created: boolean;
}

const present = (row: AllocationRow): Allocation => ({
  portId: row.portId,
  mac: row.mac,
  pool: row.pool,
  state: row.state,
  ...(row.hostname ? { hostname: row.hostname } : {}),
  ...(row.ipv4 ? { ipv4: row.ipv4 } : {}),
  ...(row.ipv6 ? { ipv6: row.ipv6 } : {}),
  expiresAt: row.expiresAt,
});

@Injectable()
export class AllocationService {
  private readonly outcomes;

  constructor(
    private readonly db: DataSource,
    private readonly allocations: AllocationRepository,
    private readonly pools: PoolService,
    metrics: MetricsRegistry,
  ) {
    this.outcomes = metrics.counter('macpool_allocations_total', 'allocation requests by outcome', ['outcome'] as const);
  }

  /**
   * Reserves a MAC for the port. Order: the requested MAC; a free MAC registered for the port's
   * hostname; the admitting pools by priority. The same port id always gets the same MAC back.
   */
  async reserve(port: PortRequest, actor: Principal): Promise<AllocationOutcome> {
    const outcome = await this.reserveIn(port, actor, this.db.manager);
    this.outcomes.inc({ outcome: outcome.created ? 'reserved' : 'existing' });
    return outcome;
  }

  /** All or nothing: one transaction; any port that can't be served rolls back the others. */
  async reserveBatch(ports: PortRequest[], actor: Principal): Promise<Allocation[]> {
    const ids = new Set<string>();
    for (const p of ports) {
      if (ids.has(p.portId)) throw DomainError.invalid('duplicate_port', `port ${p.portId} appears twice in the batch`);
      ids.add(p.portId);
    }
    const done = await this.db.transaction(async (m) => {
      const out: Allocation[] = [];
      for (const port of ports) out.push((await this.reserveIn(port, actor, m)).allocation);
      return out;
    });
    this.outcomes.inc({ outcome: 'reserved' }, done.length);
    return done;
  }

  private async reserveIn(port: PortRequest, actor: Principal, m: EntityManager): Promise<AllocationOutcome> {
    const requested = port.mac === undefined ? undefined : this.canonical(port.mac);
    const host = hostnameKey(port.hostname);
    const take = async (pools: Pool[]) => {
      if (pools.length === 0) return null;
      const ids = pools.map((p) => p.id);
      return (
        (requested && (await this.allocations.reserveRequested(port, actor.name, ids, requested, m))) ||
        (host && (await this.allocations.reserveByHostname(port, actor.name, ids, host, m))) ||
        (await this.firstFree(port, actor.name, ids, m))
      );
    };
    let pools = admittingPools(await this.pools.listForAllocation(), port);
    try {
      let row = await take(pools);
      if (!row) {
        // Nothing taken: the port may hold a MAC already (an idempotent retry)...
        const existing = await this.allocations.findByPort(port.portId, m);
        if (existing) return { allocation: present(existing), created: false };
        // ...or the cached pool list is stale, or expired reservations and ended quarantines
        // wait for the periodic sweep: look again once.
        pools = admittingPools(await this.pools.listForAllocation({ fresh: true }), port);
        await this.allocations.sweep();
        row = await take(pools);
      }
      if (row) return { allocation: present(row), created: true };
    } catch (err) {
      // Two requests for one port raced; port_id is unique, so the loser returns the winner's MAC.
      if (err instanceof PortAlreadyHasMac) {
        const winner = await this.allocations.findByPort(port.portId, m);
        if (winner) return { allocation: present(winner), created: false };
      }
      throw err;
    }
    this.outcomes.inc({ outcome: pools.length ? 'exhausted' : 'no_pool' });
    const why = pools.length
      ? `no free MAC for port ${port.portId} in pools ${pools.map((p) => p.name).join(', ')}`
      : `no pool admits port ${port.portId} (network ${port.networkId ?? '-'}, project ${port.projectId ?? '-'}, zone ${port.availabilityZone ?? '-'})`;
    throw DomainError.conflict('pool_exhausted', why, { portId: port.portId, poolsTried: pools.map((p) => p.name) });
  }

  private async firstFree(port: PortRequest, actor: string, poolIds: number[], m: EntityManager): Promise<AllocationRow | null> {
    for (const id of poolIds) {
      const row = await this.allocations.reserveFromPool(port, actor, id, m);
      if (row) return row;
    }
    return null;
  }

  private canonical(mac: string): string {
    try {
      return normaliseMac(mac);
    } catch (err) {
      if (err instanceof MacFormatError) throw DomainError.invalid('invalid_mac', `mac: ${err.message}`);
      throw err;
    }
  }

  async get(portId: string): Promise<Allocation> {
    const row = await this.allocations.findByPort(portId);
    if (!row) throw DomainError.notFound('allocation_not_found', `port ${portId} holds no MAC from the pools`);
    return present(row);
  }

  async commit(portId: string, actor: Principal): Promise<Allocation> {
    const row = await this.allocations.commit(portId, actor.name);
    if (!row) throw DomainError.notFound('allocation_not_found', `port ${portId} holds no reservation (expired or never made)`);
    this.outcomes.inc({ outcome: 'committed' });
    return present(row);
  }

  async release(portId: string, actor: Principal): Promise<void> {
    if (await this.allocations.release(portId, actor.name)) this.outcomes.inc({ outcome: 'released' });
  }

  /**
   * Reconciliation's repair of a port Neutron no longer has. Not a hook's request: no outcome
   * counted (reconciliation counts its own changes), and a port gone meanwhile is no error.
   */
  async releaseOrphan(portId: string, actor: string): Promise<void> {
    await this.allocations.release(portId, actor);
  }

  /** Reconciliation's repair of a commit the hook lost; a reservation expired meanwhile is no error. */
  async commitLost(portId: string, actor: string): Promise<void> {
    await this.allocations.commit(portId, actor);
  }
}
