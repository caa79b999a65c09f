// The shapes the aai-bridge API returns (its DTOs, as JSON).

export type Rule = Record<string, unknown>;

export interface MappingVersion {
  version: number;
  rules: Rule[];
  actor: string;
  comment: string | null;
  createdAt: string;
}

export interface RuleProblem {
  path: string;
  message: string;
}

export interface Mapped {
  user: { name?: string; id?: string; email?: string; domain?: { id?: string; name?: string }; type: string };
  group_ids: string[];
  group_names: { name: string; domain: { id?: string; name?: string } }[];
  projects: { name: string; roles: { name: string }[] }[];
}

export interface Preview {
  users: number;
  skipped: number;
  changed: number;
  gained: number;
  lost: number;
  loseAllAccess: string[];
  refused: string[];
  unknownAttributes: string[];
  changes: { user: string; gained: string[]; lost: string[]; refused?: string; losesAllAccess: boolean }[];
}

/** The rule a problem's path names ('rules[2].local[0].user' → 2), and the rest of the path. */
export function ruleOf(path: string): { rule: number; field: string } | null {
  const m = /^rules\[(\d+)\]\.?(.*)$/.exec(path);
  return m ? { rule: Number(m[1]), field: m[2] } : null;
}
