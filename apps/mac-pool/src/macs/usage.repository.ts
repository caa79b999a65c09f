import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BUCKET_SECONDS, BucketEvents, UsageBucket } from './usage';

@Injectable()
export class UsageRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Allocations and releases per bucket since `since`, and what ports hold now, read in one
   * snapshot so that working back from "now" matches the events counted.
   */
  async read(bucket: UsageBucket, since: Date, pool: string | null): Promise<{ events: BucketEvents[]; heldNow: number }> {
    return this.db.transaction('REPEATABLE READ', async (m) => {
      const events: BucketEvents[] = await m.query(
        `SELECT floor(extract(epoch FROM at) / $1)::int AS index,
                count(*) FILTER (WHERE action = 'reserved')::int AS allocations,
                count(*) FILTER (WHERE action IN ('released', 'expired'))::int AS releases
         FROM mac_history WHERE at >= $2 AND ($3::text IS NULL OR pool = $3)
         GROUP BY 1`,
        [BUCKET_SECONDS[bucket], since, pool],
      );
      const [{ held }] = await m.query(
        `SELECT count(*)::int AS held FROM macs m JOIN pools p ON p.id = m.pool_id
         WHERE m.state IN ('reserved', 'allocated') AND ($1::text IS NULL OR p.name = $1)`,
        [pool],
      );
      return { events, heldNow: held };
    });
  }
}
