/** Keystone's mapping format (a mapping's `rules`). */
export interface MappingRules {
  rules: Rule[];
}

export interface Rule {
  local: Array<Record<string, unknown>>;
  remote: RemoteRequirement[];
}

export interface RemoteRequirement {
  type: string;
  any_one_of?: unknown[];
  not_any_of?: unknown[];
  blacklist?: unknown[];
  whitelist?: unknown[];
  regex?: boolean;
}
