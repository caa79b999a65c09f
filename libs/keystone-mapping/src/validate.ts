import { PythonRegexError, UnsupportedRegexError, compilePythonRegex } from './python-regex';
import { MappingRules } from './types';

export interface RuleProblem {
  /** Where: `rules[2].remote[0].any_one_of`. */
  path: string;
  message: string;
  /**
   * Keystone's schema lets this through and its engine fails on it only when the rule is
   * evaluated (a pattern Python refuses, or one this engine cannot run).
   */
  keystoneFailsLater?: true;
}

export type Validated = { ok: true; mapping: MappingRules } | { ok: false; problems: RuleProblem[] };

const REMOTE_KINDS = ['any_one_of', 'not_any_of', 'blacklist', 'whitelist'] as const;
const LOCAL_KEYS = ['user', 'projects', 'group', 'groups', 'group_ids', 'domain'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Keystone's MAPPING_SCHEMA, checked with messages that point at the rule and field. A bare list
 * of rules is accepted as `{rules: [...]}` (as keystone-manage mapping_engine does).
 */
export function validateMapping(input: unknown): Validated {
  const problems: RuleProblem[] = [];
  const say: Say = (path, message, keystoneFailsLater) =>
    problems.push(keystoneFailsLater ? { path, message, keystoneFailsLater } : { path, message });
  const doc = Array.isArray(input) ? { rules: input } : input;
  if (!isObject(doc))
    return { ok: false, problems: [{ path: '', message: 'mapping must be an object {"rules": [...]} or a list of rules' }] };
  const rules = doc.rules;
  if (!Array.isArray(rules)) say('rules', 'required, a list of rules');
  else if (rules.length === 0) say('rules', 'must hold at least one rule');
  else rules.forEach((rule, i) => checkRule(rule, `rules[${i}]`, say));
  return problems.length ? { ok: false, problems } : { ok: true, mapping: doc as unknown as MappingRules };
}

type Say = (path: string, message: string, keystoneFailsLater?: true) => void;

function onlyKeys(obj: Record<string, unknown>, allowed: string[], path: string, say: Say) {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) say(`${path}.${k}`, `unknown field (allowed: ${allowed.join(', ')})`);
}

function checkString(v: unknown, path: string, say: Say) {
  if (typeof v !== 'string') say(path, 'must be a string');
}

function checkDomain(v: unknown, path: string, say: Say) {
  if (!isObject(v)) return say(path, 'must be an object {id} or {name}');
  onlyKeys(v, ['id', 'name'], path, say);
  for (const k of ['id', 'name']) if (k in v) checkString(v[k], `${path}.${k}`, say);
}

function checkRule(rule: unknown, path: string, say: Say) {
  if (!isObject(rule)) return say(path, 'a rule must be an object with "local" and "remote"');
  onlyKeys(rule, ['local', 'remote'], path, say);
  if (!Array.isArray(rule.local)) say(`${path}.local`, 'required, a list');
  else rule.local.forEach((l, i) => checkLocal(l, `${path}.local[${i}]`, say));
  if (!Array.isArray(rule.remote)) say(`${path}.remote`, 'required, a list');
  else if (rule.remote.length === 0) say(`${path}.remote`, 'must hold at least one requirement');
  else rule.remote.forEach((r, i) => checkRemote(r, `${path}.remote[${i}]`, say));
}

function checkLocal(local: unknown, path: string, say: Say) {
  if (!isObject(local)) return say(path, 'must be an object');
  onlyKeys(local, LOCAL_KEYS, path, say);
  if ('user' in local) {
    const user = local.user;
    if (!isObject(user)) say(`${path}.user`, 'must be an object');
    else {
      onlyKeys(user, ['id', 'name', 'email', 'domain', 'type'], `${path}.user`, say);
      for (const k of ['id', 'name', 'email']) if (k in user) checkString(user[k], `${path}.user.${k}`, say);
      if ('domain' in user) checkDomain(user.domain, `${path}.user.domain`, say);
      if ('type' in user && user.type !== 'ephemeral' && user.type !== 'local') say(`${path}.user.type`, 'must be "ephemeral" or "local"');
    }
  }
  if ('projects' in local) {
    if (!Array.isArray(local.projects)) say(`${path}.projects`, 'must be a list of {name, roles}');
    else
      local.projects.forEach((p, i) => {
        const pp = `${path}.projects[${i}]`;
        if (!isObject(p)) return say(pp, 'must be an object {name, roles}');
        onlyKeys(p, ['name', 'roles'], pp, say);
        checkString(p.name, `${pp}.name`, say);
        if (!Array.isArray(p.roles)) say(`${pp}.roles`, 'required, a list of {name}');
        else
          p.roles.forEach((r, j) =>
            isObject(r) ? checkString(r.name, `${pp}.roles[${j}].name`, say) : say(`${pp}.roles[${j}]`, 'must be an object {name}'),
          );
      });
  }
  if ('group' in local) {
    const g = local.group;
    if (!isObject(g)) say(`${path}.group`, 'must be an object {id} or {name, domain}');
    else if ('id' in g) {
      onlyKeys(g, ['id'], `${path}.group`, say);
      checkString(g.id, `${path}.group.id`, say);
    } else {
      onlyKeys(g, ['name', 'domain'], `${path}.group`, say);
      if (!('name' in g) || !('domain' in g)) say(`${path}.group`, 'needs "id", or both "name" and "domain"');
      if ('name' in g) checkString(g.name, `${path}.group.name`, say);
      if ('domain' in g) checkDomain(g.domain, `${path}.group.domain`, say);
    }
  }
  for (const k of ['groups', 'group_ids']) if (k in local) checkString(local[k], `${path}.${k}`, say);
  if ('domain' in local) checkDomain(local.domain, `${path}.domain`, say);
}

function checkRemote(req: unknown, path: string, say: Say) {
  if (!isObject(req)) return say(path, 'must be an object with "type"');
  if (typeof req.type !== 'string') say(`${path}.type`, 'required, the assertion attribute name');
  const kinds = REMOTE_KINDS.filter((k) => k in req);
  if (kinds.length > 1) say(path, `use one of ${REMOTE_KINDS.join(', ')}, not ${kinds.join(' and ')}`);
  onlyKeys(req, kinds.length ? ['type', 'regex', ...kinds] : ['type'], path, say);
  for (const k of kinds) if (!Array.isArray(req[k])) say(`${path}.${k}`, 'must be a list');
  if ('regex' in req) {
    if (typeof req.regex !== 'boolean') say(`${path}.regex`, 'must be true or false');
    else if (req.regex) {
      for (const k of kinds) {
        for (const [i, pattern] of ((req[k] as unknown[]) ?? []).entries()) {
          const where = `${path}.${k}[${i}]`;
          if (typeof pattern !== 'string') {
            say(where, 'a regular expression must be a string', true);
            continue;
          }
          try {
            compilePythonRegex(pattern);
          } catch (err) {
            if (err instanceof PythonRegexError) say(where, `bad regular expression (Python's ${err.pythonType}): ${err.message}`, true);
            else if (err instanceof UnsupportedRegexError) say(where, `regular expression not supported: ${err.message}`, true);
            else throw err;
          }
        }
      }
    }
  }
}
