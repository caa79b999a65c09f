// Usage over time from the MAC history: pure arithmetic over per-bucket event counts.

export type UsageBucket = 'hour' | 'day';

export const BUCKET_SECONDS: Record<UsageBucket, number> = { hour: 3600, day: 86400 };

/** Event counts of one bucket, keyed by its index (start in seconds since the epoch / bucket size). */
export interface BucketEvents {
  index: number;
  allocations: number;
  releases: number;
}

export interface UsagePoint {
  start: Date;
  /** MACs handed to ports (reservations) during the bucket. */
  allocations: number;
  /** MACs given back by ports (releases and lapsed reservations) during the bucket. */
  releases: number;
  /** MACs held by ports (reserved or allocated) at the end of the bucket (the last one: now). */
  held: number;
}

/** Index of the bucket holding `time`, in UTC-aligned buckets. */
export const bucketIndex = (time: Date, bucket: UsageBucket): number => Math.floor(time.getTime() / 1000 / BUCKET_SECONDS[bucket]);

/**
 * The last `count` buckets up to the one holding `now`, oldest first. What ports hold is known
 * now; each earlier bucket's end is found by undoing the later buckets' events (an allocation
 * added one held MAC, a release took one away), so no snapshot table is needed.
 */
export function usageSeries(now: Date, bucket: UsageBucket, count: number, events: BucketEvents[], heldNow: number): UsagePoint[] {
  const last = bucketIndex(now, bucket);
  const byIndex = new Map(events.map((e) => [e.index, e]));
  const points: UsagePoint[] = [];
  let held = heldNow;
  for (let index = last; index > last - count; index--) {
    const e = byIndex.get(index);
    points.push({
      start: new Date(index * BUCKET_SECONDS[bucket] * 1000),
      allocations: e?.allocations ?? 0,
      releases: e?.releases ?? 0,
      held,
    });
    held = held - (e?.allocations ?? 0) + (e?.releases ?? 0);
  }
  return points.reverse();
}
