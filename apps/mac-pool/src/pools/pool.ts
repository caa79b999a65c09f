/** A pool as the API shows it. */
export interface Pool {
  id: number;
  name: string;
  description: string;
  scope: { networkIds: string[]; projectIds: string[]; availabilityZones: string[] };
  priority: number;
  quarantineSeconds: number;
  reservationTtlSeconds: number;
  allowUniversal: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type MacState = 'free' | 'reserved' | 'allocated' | 'quarantined';
export type StateCounts = Record<MacState | 'total', number>;

export const emptyCounts = (): StateCounts => ({ free: 0, reserved: 0, allocated: 0, quarantined: 0, total: 0 });
