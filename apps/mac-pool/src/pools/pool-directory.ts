import { Injectable } from '@nestjs/common';
import { DatabaseNotifications } from '@app/platform';
import { Pool } from './pool';
import { POOL_CHANGES_CHANNEL } from './pool-changes';
import { PoolRepository } from './pool.repository';

// Pools change rarely and every allocation needs them: one read per allocation cost ~25% of
// allocation throughput. While this node hears of every change (a NOTIFY from a trigger on pools),
// the list is kept until one arrives, so a Neutron port create a while after the last one does not
// pay a read either. While that channel is down, a change made on another node is seen within this:
const UNNOTIFIED_TTL_MS = 1000;

/** The pool list for the allocation hot path; any change, on any node, drops it. */
@Injectable()
export class PoolDirectory {
  private cached?: { pools: Promise<Pool[]>; until: number };
  private notified = false;

  constructor(
    private readonly pools: PoolRepository,
    notifications: DatabaseNotifications,
  ) {
    notifications.subscribe(POOL_CHANGES_CHANNEL, {
      onNotify: () => this.invalidate(),
      onListening: (listening) => {
        this.notified = listening;
        this.invalidate(); // changes may have been missed while not listening
      },
    });
  }

  list({ fresh = false } = {}): Promise<Pool[]> {
    const now = Date.now();
    if (fresh || !this.cached || this.cached.until <= now) {
      const pools = this.pools.list();
      const entry = { pools, until: this.notified ? Infinity : now + UNNOTIFIED_TTL_MS };
      this.cached = entry;
      pools.catch(() => {
        if (this.cached === entry) this.cached = undefined;
      });
    }
    return this.cached.pools;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
