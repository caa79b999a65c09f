/** A role on a project or a group membership, keyed as the grants table keys it. */
export interface Grant {
  kind: 'role' | 'group';
  /** "<projectId>/<roleId>" or "<groupId>" */
  target: string;
  /** Human-readable: "project cms: role member", "group cms-users". */
  label: string;
}

export interface GrantPlan {
  /** Desired, missing in Keystone: grant, and record as the bridge's. */
  grant: Grant[];
  /** Desired, present, recorded as the bridge's: refresh the record (expiry clock). */
  refresh: Grant[];
  /** Recorded as the bridge's, no longer desired: revoke if present, drop the record. */
  revoke: Array<Grant & { present: boolean }>;
}

const key = (g: Pick<Grant, 'kind' | 'target'>) => `${g.kind}:${g.target}`;

/**
 * Reconciles what the mapping yields with Keystone and the bridge's own records. Grants made by
 * anyone else (present but never recorded) are neither recorded nor revoked.
 */
export function planGrants(desired: Grant[], present: Array<Pick<Grant, 'kind' | 'target'>>, recorded: Grant[]): GrantPlan {
  const presentKeys = new Set(present.map(key));
  const recordedKeys = new Set(recorded.map(key));
  const desiredKeys = new Set(desired.map(key));
  const unique = [...new Map(desired.map((g) => [key(g), g])).values()];
  return {
    grant: unique.filter((g) => !presentKeys.has(key(g))),
    refresh: unique.filter((g) => presentKeys.has(key(g)) && recordedKeys.has(key(g))),
    revoke: recorded.filter((g) => !desiredKeys.has(key(g))).map((g) => ({ ...g, present: presentKeys.has(key(g)) })),
  };
}
