import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, AuditRepository, Principal } from '@app/platform';
import { CreatePoolDto } from './dto/create-pool.dto';
import { UpdatePoolDto } from './dto/update-pool.dto';
import { Pool, StateCounts, emptyCounts } from './pool';
import { PoolDirectory } from './pool-directory';
import { PoolFields, PoolRepository } from './pool.repository';

export type PoolWithCounts = Pool & { counts: StateCounts };

export interface PoolStats {
  pools: Array<{ name: string; priority: number; counts: StateCounts }>;
  totals: StateCounts;
}

const DEFAULTS = { description: '', priority: 100, quarantineSeconds: 0, reservationTtlSeconds: 300, allowUniversal: false };

@Injectable()
export class PoolService {
  constructor(
    private readonly db: DataSource,
    private readonly pools: PoolRepository,
    private readonly directory: PoolDirectory,
    private readonly audit: AuditRepository,
  ) {}

  /** A pool-changing transaction; this node's allocation path sees the change at once. */
  private async changing<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } finally {
      this.directory.invalidate();
    }
  }

  async list(): Promise<PoolWithCounts[]> {
    const [pools, counts] = await Promise.all([this.pools.list(), this.pools.countsByPool()]);
    return pools.map((p) => ({ ...p, counts: counts.get(p.id) ?? emptyCounts() }));
  }

  /** The pools as the allocation hot path reads them: cached briefly, `fresh` to bypass the cache. */
  listForAllocation(options: { fresh?: boolean } = {}): Promise<Pool[]> {
    return this.directory.list(options);
  }

  async get(name: string): Promise<PoolWithCounts> {
    const pool = await this.pools.findByName(name);
    if (!pool) throw notFound(name);
    return { ...pool, counts: await this.pools.counts(pool.id) };
  }

  async stats(): Promise<PoolStats> {
    const pools = await this.list();
    const totals = emptyCounts();
    for (const p of pools) for (const k of Object.keys(totals) as Array<keyof StateCounts>) totals[k] += p.counts[k];
    return { pools: pools.map((p) => ({ name: p.name, priority: p.priority, counts: p.counts })), totals };
  }

  /**
   * The pool, locked inside the caller's transaction until it ends: changes of its MACs (uploads)
   * and of the pool itself serialise on this lock.
   */
  async lockForChange(name: string, m: EntityManager): Promise<Pool> {
    const pool = await this.pools.lockByName(name, m);
    if (!pool) throw notFound(name);
    return pool;
  }

  async create(dto: CreatePoolDto, actor: Principal): Promise<PoolWithCounts> {
    const fields: PoolFields = {
      ...DEFAULTS,
      ...stripUndefined({ ...dto, scope: undefined }),
      name: dto.name,
      scope: { networkIds: [], projectIds: [], availabilityZones: [], ...stripUndefined(dto.scope ?? {}) },
    } as PoolFields;
    return this.changing(async (m) => {
      const pool = await this.pools.insert(fields, m);
      if (!pool) throw DomainError.conflict('pool_exists', `a pool named ${JSON.stringify(dto.name)} already exists`);
      await this.audit.record({ actor: actor.name, action: 'pool.create', target: pool.name, details: fields }, m);
      return { ...pool, counts: emptyCounts() };
    });
  }

  async update(name: string, dto: UpdatePoolDto, actor: Principal): Promise<PoolWithCounts> {
    return this.changing(async (m) => {
      const current = await this.lockForChange(name, m);
      const next: PoolFields = {
        ...current,
        ...stripUndefined({ ...dto, scope: undefined }),
        scope: { ...current.scope, ...stripUndefined(dto.scope ?? {}) },
      };
      const pool = (await this.pools.update(next, m))!;
      await this.audit.record({ actor: actor.name, action: 'pool.update', target: name, details: dto }, m);
      return { ...pool, counts: await this.pools.counts(pool.id, m) };
    });
  }

  /** Refused while MACs are reserved or allocated, unless forced (their ports keep the MAC). */
  async delete(name: string, force: boolean, actor: Principal): Promise<void> {
    await this.changing(async (m) => {
      const pool = await this.lockForChange(name, m);
      const counts = await this.pools.counts(pool.id, m);
      const live = counts.reserved + counts.allocated;
      if (live > 0 && !force) {
        throw DomainError.conflict(
          'pool_in_use',
          `pool ${name} has ${live} reserved or allocated MACs; delete with ?force=true to drop them anyway`,
          {
            reserved: counts.reserved,
            allocated: counts.allocated,
          },
        );
      }
      await this.pools.delete(pool.id, m);
      await this.audit.record({ actor: actor.name, action: 'pool.delete', target: name, details: { force, counts } }, m);
    });
  }
}

const notFound = (name: string) => DomainError.notFound('pool_not_found', `no pool named ${JSON.stringify(name)}`);

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
