import { Assertion, MappedProperties, MappingError, MappingRules, processMapping } from '@app/keystone-mapping';

/** How a login maps (MappingService.forLogin): every matching rule's projects count. */
export const LOGIN_MAPPING_OPTIONS = { unionProjects: true } as const;

/** A user's change under candidate rules: grant labels as provisioning reports them. */
export interface UserChange {
  user: string;
  gained: string[];
  lost: string[];
  /** The candidate rules refuse this user (their next login fails; apply-now revokes everything). */
  refused?: string;
  losesAllAccess: boolean;
}

/** The labels a login gives the grants the mapping yields ("project cms: role member", "group cms-users"). */
export function grantLabels(mapped: MappedProperties): string[] {
  const labels = [
    ...mapped.projects.flatMap((p) => p.roles.map((r) => `project ${p.name}: role ${r.name}`)),
    ...mapped.group_ids.map((id) => `group ${id}`),
    ...mapped.group_names.map((g) => `group ${g.name}`),
  ];
  return [...new Set(labels)].sort();
}

/** The attribute names the rules read: the only ones the bridge keeps per user. */
export function attributesRead(mapping: MappingRules): Set<string> {
  return new Set(mapping.rules.flatMap((r) => r.remote.map((req) => req.type)));
}

/** Only the attributes the rules read (personal data kept to what a preview needs). */
export function keptAttributes(attributes: Record<string, string[]>, read: Set<string>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => read.has(name)));
}

/** What a login's mapping yields for stored attributes, or why the rules refuse them. */
export function mapAttributes(
  mapping: MappingRules,
  attributes: Record<string, string[]>,
): { mapped: MappedProperties } | { refused: string } {
  const assertion: Assertion = Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, v.join(';')]));
  try {
    const mapped = processMapping(mapping, assertion, LOGIN_MAPPING_OPTIONS);
    // A login refuses a mapping that names no user (provisioning needs a name).
    if (!mapped.user.name && !mapped.user.id) return { refused: 'no_user: the mapping yields no user name (local user.name)' };
    return { mapped };
  } catch (err) {
    if (err instanceof MappingError) return { refused: `${err.code}: ${err.message}` };
    throw err;
  }
}

/** The grant labels a login's mapping yields for stored attributes, or why the rules refuse them. */
export function mapLabels(mapping: MappingRules, attributes: Record<string, string[]>): { labels: string[] } | { refused: string } {
  const result = mapAttributes(mapping, attributes);
  return 'mapped' in result ? { labels: grantLabels(result.mapped) } : result;
}

/**
 * One user's change: what the candidate rules yield against what the bridge granted (its records).
 * A grant someone else made in Keystone shows as gained here though a login would leave it alone.
 */
export function userChange(user: string, mapped: { labels: string[] } | { refused: string }, granted: string[]): UserChange {
  const desired = 'labels' in mapped ? mapped.labels : [];
  const had = new Set(granted);
  const will = new Set(desired);
  return {
    user,
    gained: desired.filter((l) => !had.has(l)),
    lost: granted.filter((l) => !will.has(l)),
    ...('refused' in mapped ? { refused: mapped.refused } : {}),
    losesAllAccess: granted.length > 0 && desired.length === 0,
  };
}
