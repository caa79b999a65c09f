/** One appended state change of a MAC. */
export interface HistoryEvent {
  at: Date;
  mac: string;
  pool: string;
  action: 'reserved' | 'committed' | 'released' | 'expired' | 'quarantine_ended';
  portId: string | null;
  deviceId: string | null;
  deviceOwner: string | null;
  projectId: string | null;
  networkId: string | null;
  actor: string;
}

/** A span of time during which one port held the MAC; `until` null = still holds it. */
export interface Holding {
  portId: string;
  deviceId: string | null;
  projectId: string | null;
  networkId: string | null;
  pool: string;
  from: Date;
  until: Date | null;
}

/** Folds the event log (oldest first) into the ports that held the MAC, and when. */
export function holdingsOf(events: HistoryEvent[]): Holding[] {
  const holdings: Holding[] = [];
  let open: Holding | null = null;
  for (const e of events) {
    if (e.action === 'reserved' && e.portId) {
      if (open) open.until = e.at; // a lost release: the new holder ends the old span
      open = {
        portId: e.portId,
        deviceId: e.deviceId,
        projectId: e.projectId,
        networkId: e.networkId,
        pool: e.pool,
        from: e.at,
        until: null,
      };
      holdings.push(open);
    } else if ((e.action === 'released' || e.action === 'expired') && open) {
      open.until = e.at;
      open = null;
    }
  }
  return holdings;
}

/** Who held the MAC at instant `t` (half-open spans: from <= t < until). */
export function holderAt(holdings: Holding[], t: Date): Holding | null {
  return holdings.find((h) => h.from <= t && (h.until === null || t < h.until)) ?? null;
}
