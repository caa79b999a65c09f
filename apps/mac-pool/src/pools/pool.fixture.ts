import type { Pool } from './pool';

/** A pool for unit tests: defaults as the API creates them, then the given fields. */
export const aPool = (fields: Partial<Omit<Pool, 'scope'>> & { scope?: Partial<Pool['scope']> }): Pool => ({
  id: 1,
  name: 'pool',
  description: '',
  priority: 0,
  quarantineSeconds: 0,
  reservationTtlSeconds: 300,
  allowUniversal: false,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...fields,
  scope: { networkIds: [], projectIds: [], availabilityZones: [], ...fields.scope },
});
