import { FormatIndexError, PyValue, literalEval, pyFormat } from './python';
import { PythonRegexError, UnsupportedRegexError, pythonSearch } from './python-regex';
import { MappingRules, Rule } from './types';

/** A rule's dict as Keystone's Python sees it: untyped by nature, checked by validate.ts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type PyDict = Record<string, any>;

/** What the engine maps an assertion to: the JSON `keystone-manage mapping_engine` prints. */
export interface MappedProperties {
  user: { name?: string; id?: string; email?: string; domain?: { id?: string; name?: string }; type: string; [k: string]: unknown };
  group_ids: string[];
  group_names: Array<{ name: string; domain: { id?: string; name?: string } }>;
  projects: Array<{ name: string; roles: Array<{ name: string }> }>;
}

/** Where Keystone errors, so does the engine, with Keystone's kind of error. */
export class MappingError extends Error {
  constructor(
    readonly code: 'no_mapping' | 'invalid_rule' | 'direct_mapping' | 'invalid_regex',
    message: string,
    /** For invalid_regex where Python refuses the pattern: what Keystone dies with, e.g. `re.error: missing ), unterminated subpattern at position 0`. */
    readonly pythonError?: string,
  ) {
    super(message);
  }
}

export const NO_MAPPING_MESSAGE =
  'Could not map any federated user properties to identity values. Check debug logs or the mapping used for additional details.';

/** An IdP assertion: attribute name → value, several values joined with `;` (Keystone's input). */
export type Assertion = Record<string, string>;

export interface MappingOptions {
  /**
   * Keystone keeps only the LAST matching rule's `projects`. With this, projects of all matching
   * rules are combined (roles merged per project), so one rule per IdP group can grant its own
   * project. Off for anything that must equal keystone-manage's output.
   */
  unionProjects?: boolean;
}

/**
 * Keystone's RuleProcessor.process (keystone/federation/utils.py, Zed), step for step: every rule
 * is evaluated, the locals of all matching rules are combined.
 */
export function processMapping(rules: MappingRules, assertionData: Assertion, options: MappingOptions = {}): MappedProperties {
  const assertion: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(assertionData)) if (typeof value === 'string') assertion[name] = value.split(';');
  const identityValues: Array<Record<string, unknown>> = [];
  for (const rule of rules.rules) {
    const directMaps = verifyRequirements(rule, assertion);
    if (directMaps === null) continue;
    // Keystone's DirectMaps object is always truthy, so locals are always formatted.
    for (const local of rule.local) identityValues.push(updateLocal(local, directMaps));
  }
  return transform(identityValues, options);
}

type DirectMap = string[];

function verifyRequirements(rule: Rule, assertion: Record<string, string[]>): DirectMap[] | null {
  const maps: DirectMap[] = [];
  for (const req of rule.remote) {
    let values = assertion[req.type];
    if (!values || values.length === 0) return null;
    const regex = req.regex ?? false;
    if (req.any_one_of !== undefined) {
      if (matches(req.any_one_of, values, regex).length > 0) continue;
      return null;
    }
    if (req.not_any_of !== undefined) {
      if (matches(req.not_any_of, values, regex).length === 0) continue;
      return null;
    }
    if (req.blacklist !== undefined) {
      const hit = new Set(matches(req.blacklist, values, regex));
      values = [...new Set(values)].filter((v) => !hit.has(v));
    } else if (req.whitelist !== undefined) {
      // A regex whitelist keeps the assertion's order and duplicates (a list comprehension in
      // Keystone); a plain one is a set intersection there, so it holds each value once.
      values = matches(req.whitelist, values, regex);
    }
    maps.push(values);
  }
  return maps;
}

/**
 * The assertion values the requirement values select: with regex, every value (in order, repeated
 * ones too) that some pattern finds (Python re.search); otherwise each value equal to one of them, once.
 * Keystone's own order for the latter is its set's hash order, different in every process: ours is
 * the assertion's.
 */
function matches(required: unknown[], values: string[], regex: boolean): string[] {
  if (regex) {
    // Keystone compiles every pattern for each value, so the first bad pattern is the one it reports.
    required.forEach(checkPattern);
    return values.filter((v) => required.some((p) => pythonSearch(p as string, v)));
  }
  // Assertion values are strings: a number in the rule never equals one (as in Python).
  const wanted = new Set(required.filter((r) => typeof r === 'string'));
  return [...new Set(values)].filter((v) => wanted.has(v));
}

function checkPattern(pattern: unknown): void {
  if (typeof pattern !== 'string') {
    const why = 'TypeError: first argument must be string or compiled pattern';
    throw new MappingError('invalid_regex', `Invalid regular expression ${JSON.stringify(pattern)}: not a string`, why);
  }
  try {
    pythonSearch(pattern, '');
  } catch (err) {
    if (err instanceof PythonRegexError) {
      const why = `${err.pythonType}: ${err.message}`;
      throw new MappingError('invalid_regex', `Invalid regular expression ${JSON.stringify(pattern)}: ${err.message}`, why);
    }
    if (err instanceof UnsupportedRegexError) {
      throw new MappingError(
        'invalid_regex',
        `Regular expression ${JSON.stringify(pattern)} is valid Python but not supported here: ${err.message}`,
      );
    }
    throw err;
  }
}

/** DirectMaps.__getitem__: a single match is the string, several stay a list. */
const formatArgs = (maps: DirectMap[]): PyValue[] => maps.map((m) => (m.length === 1 ? m[0] : m));

function updateLocal(local: unknown, maps: DirectMap[]): PyDict {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(local as Record<string, unknown>)) {
    if (Array.isArray(v)) out[k] = v.map((item) => updateLocal(item, maps));
    else if (v !== null && typeof v === 'object') out[k] = updateLocal(v, maps);
    else {
      try {
        out[k] = pyFormat(String(v), formatArgs(maps));
      } catch (err) {
        if (err instanceof FormatIndexError) {
          throw new MappingError(
            'direct_mapping',
            `Local section in mapping refers to a remote match that doesn't exist (e.g. {0} in a local section).`,
          );
        }
        throw new MappingError('invalid_rule', `Invalid rule: ${(err as Error).message}`);
      }
    }
  }
  return out;
}

/** _ast_literal_eval: a list literal becomes the list, anything else the one-element list. */
function asList(value: string): PyValue[] {
  const parsed = literalEval(value);
  return Array.isArray(parsed) ? parsed : [value];
}

function transform(identityValues: Array<PyDict>, options: MappingOptions): MappedProperties {
  if (identityValues.length === 0) throw new MappingError('no_mapping', NO_MAPPING_MESSAGE);
  let user: PyDict = {};
  const groupIds = new Set<string>();
  const groupNames: Array<PyDict> = [];
  // Domain → groups, in first-seen order (Python dicts keep insertion order).
  const groupsByDomain = new Map<string, Array<PyDict>>();
  let projects: MappedProperties['projects'] = [];

  for (const value of identityValues) {
    if ('user' in value && Object.keys(user).length === 0) user = value.user;
    if ('group' in value) {
      const group = value.group;
      if ('id' in group) groupIds.add(group.id);
      else if ('name' in group) {
        const domain = group.domain.name || group.domain.id;
        groupsByDomain.set(domain, [...(groupsByDomain.get(domain) ?? []), group]);
      }
      // Keystone re-adds every named group seen so far each time: duplicates are its behaviour.
      for (const groups of groupsByDomain.values()) {
        const byName = new Map<string, PyDict>();
        for (const g of groups) byName.set(g.name, g);
        groupNames.push(...byName.values());
      }
    }
    if ('groups' in value) groupNames.push(...normalizeGroups(value));
    if ('group_ids' in value) for (const id of asList(value.group_ids)) groupIds.add(id as string);
    if ('projects' in value) projects = options.unionProjects ? mergeProjects(projects, value.projects) : value.projects;
  }
  if (user.type !== undefined && user.type !== 'ephemeral' && user.type !== 'local') {
    throw new MappingError('invalid_rule', `User type ${user.type} not supported`);
  }
  if (user.type === undefined) user.type = 'ephemeral';
  return {
    user: user as MappedProperties['user'],
    group_ids: [...groupIds],
    group_names: groupNames as MappedProperties['group_names'],
    projects,
  };
}

function normalizeGroups(value: PyDict): Array<PyDict> {
  const invalid = () =>
    new MappingError('invalid_rule', `Invalid rule: ${JSON.stringify(value)}. Both 'groups' and 'domain' keywords must be specified.`);
  const groups: string = value.groups;
  if (groups.includes('name')) {
    const dicts = asList(groups).map((g) => (typeof g === 'string' && g.startsWith('JSON:') ? parseGroupJson(g, value) : g));
    for (const g of dicts) {
      const hasDomain = typeof g === 'string' ? g.includes('domain') : g !== null && typeof g === 'object' && 'domain' in (g as object);
      if (!hasDomain) throw invalid();
    }
    return dicts as Array<PyDict>;
  }
  if (!('domain' in value)) throw invalid();
  return asList(groups).map((name) => ({ name, domain: value.domain }));
}

/** A `JSON:` group; Keystone dies on bad JSON there (a ValueError, a 500), this engine refuses the rule. */
function parseGroupJson(g: string, value: PyDict): unknown {
  try {
    return JSON.parse(lstrip(g, 'JSON:'));
  } catch (err) {
    throw new MappingError('invalid_rule', `Invalid rule: ${JSON.stringify(value)}. A JSON: group is not JSON: ${(err as Error).message}`);
  }
}

function mergeProjects(a: MappedProperties['projects'], b: MappedProperties['projects']): MappedProperties['projects'] {
  const byName = new Map(a.map((p) => [p.name, { name: p.name, roles: [...p.roles] }]));
  for (const p of b) {
    const into = byName.get(p.name) ?? { name: p.name, roles: [] };
    for (const r of p.roles) if (!into.roles.some((x) => x.name === r.name)) into.roles.push(r);
    byName.set(p.name, into);
  }
  return [...byName.values()];
}

/** Python's str.lstrip(chars): strips any of the characters, not the prefix. */
function lstrip(s: string, chars: string): string {
  let i = 0;
  while (i < s.length && chars.includes(s[i])) i++;
  return s.slice(i);
}
