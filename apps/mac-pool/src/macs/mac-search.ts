import type { MacMatch } from './mac-search.repository';

/** One match per MAC: what matches now wins over a past holder; most recent first, at most `limit`. */
export function mergeMatches(current: MacMatch[], past: MacMatch[], limit: number): { matches: MacMatch[]; truncated: boolean } {
  const byMac = new Map<string, MacMatch>();
  for (const m of current) byMac.set(m.mac, m);
  for (const m of past) if (!byMac.has(m.mac)) byMac.set(m.mac, m);
  const all = [...byMac.values()].sort((a, b) => new Date(b.at).getTime() - new Date(a.at).getTime());
  return { matches: all.slice(0, limit), truncated: all.length > limit || current.length >= limit || past.length >= limit };
}
