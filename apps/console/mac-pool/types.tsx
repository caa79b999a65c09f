// The shapes the mac-pool API returns (its DTOs, as JSON).

export interface Counts {
  free: number;
  reserved: number;
  allocated: number;
  quarantined: number;
  total: number;
}

export interface Pool {
  id: number;
  name: string;
  description: string;
  scope: { networkIds: string[]; projectIds: string[]; availabilityZones: string[] };
  priority: number;
  quarantineSeconds: number;
  reservationTtlSeconds: number;
  allowUniversal: boolean;
  createdAt: string;
  updatedAt: string;
  counts: Counts;
}

export interface Stats {
  pools: { name: string; priority: number; counts: Counts }[];
  totals: Counts;
}

export interface UploadResult {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  dryRun: boolean;
  /** A make-equal dry run only: the first MACs applying would remove, and how many in all. */
  removing?: string[];
  removingTotal?: number;
}

export interface BadLine {
  line: number | null;
  input: string;
  code: string;
  reason: string;
}

export interface MacRecord {
  mac: string;
  pool: string;
  state: string;
  hostname: string | null;
  ipv4: string | null;
  ipv6: string | null;
  description: string | null;
  portId: string | null;
  deviceId: string | null;
  deviceOwner: string | null;
  projectId: string | null;
  networkId: string | null;
  expiresAt: string | null;
  availableSince: string | null;
  stateChangedAt: string;
}

export interface Holding {
  portId: string;
  deviceId: string | null;
  projectId: string | null;
  networkId: string | null;
  pool: string;
  from: string;
  until: string | null;
}

export interface MacHistory {
  mac: string;
  events: {
    at: string;
    mac: string;
    pool: string;
    action: string;
    portId: string | null;
    deviceId: string | null;
    projectId: string | null;
    actor: string;
  }[];
  holdings: Holding[];
  at?: { time: string; holder: Holding | null };
}

/** Share of a pool's MACs not free (reserved, allocated or quarantined). */
export const usedShare = (c: Counts): number => (c.total === 0 ? 0 : (c.total - c.free) / c.total);

/** Above this share in use a pool is flagged on the overview. */
export const FULL_WARNING = 0.9;
