import { Injectable } from '@nestjs/common';
import { ClockRepository } from '@app/platform';
import { UsageResponseDto } from './dto/usage.response';
import { BUCKET_SECONDS, UsageBucket, bucketIndex, usageSeries } from './usage';
import { UsageRepository } from './usage.repository';
import { PoolService } from '../pools/pool.service';

const DEFAULT_BUCKETS: Record<UsageBucket, number> = { hour: 48, day: 30 };

@Injectable()
export class UsageService {
  constructor(
    private readonly usage: UsageRepository,
    private readonly pools: PoolService,
    private readonly clock: ClockRepository,
  ) {}

  /**
   * Allocations, releases and MACs held per hour or day. Held counts are worked back from now:
   * MACs a forced pool delete dropped, and events older than the history's retention, are not
   * in the history, so earlier buckets can be off by those.
   */
  async series(bucket: UsageBucket = 'day', count: number = DEFAULT_BUCKETS[bucket], pool?: string): Promise<UsageResponseDto> {
    if (pool !== undefined) await this.pools.get(pool); // 404 for an unknown pool
    const now = this.clock.now();
    const since = new Date((bucketIndex(now, bucket) - count + 1) * BUCKET_SECONDS[bucket] * 1000);
    const { events, heldNow } = await this.usage.read(bucket, since, pool ?? null);
    return { bucket, pool: pool ?? null, series: usageSeries(now, bucket, count, events, heldNow) };
  }
}
