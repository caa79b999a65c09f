import { Injectable } from '@nestjs/common';
import { Pool } from './pool';
import { PoolRepository } from './pool.repository';

// Pools change rarely and every allocation needs them: one read per allocation cost ~25% of
// allocation throughput. A scope change made on another node is seen within this time.
const TTL_MS = 1000;

/** The pool list for the allocation hot path, cached briefly; local changes drop the cache at once. */
@Injectable()
export class PoolDirectory {
  private cached?: { pools: Promise<Pool[]>; until: number };

  constructor(private readonly pools: PoolRepository) {}

  list({ fresh = false } = {}): Promise<Pool[]> {
    const now = Date.now();
    if (fresh || !this.cached || this.cached.until <= now) {
      const pools = this.pools.list();
      this.cached = { pools, until: now + TTL_MS };
      pools.catch(() => (this.cached = undefined));
    }
    return this.cached.pools;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
