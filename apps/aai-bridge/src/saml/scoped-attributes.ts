import type { IdpScope } from '../metadata/metadata-document';

/** Attributes whose value is `something@scope`: the scope names the institution vouching for it. */
export const SCOPED_ATTRIBUTES = ['eduPersonPrincipalName', 'eduPersonScopedAffiliation', 'eduPersonUniqueId', 'subject-id', 'pairwise-id'];

export interface ScopeCheck {
  attributes: Record<string, string[]>;
  refused: Array<{ name: string; value: string }>;
}

/**
 * Keeps a scoped value only when its scope is one the issuing IdP declares in its metadata
 * (shibmd:Scope, literal or a regular expression matching the whole scope): an IdP of another
 * institution must never assert someone@infn.it. An IdP that declares no scope has none of its
 * scoped values kept.
 */
export function checkScopes(attributes: Record<string, string[]>, scopes: IdpScope[]): ScopeCheck {
  const matchers = scopes.map((s) => {
    if (!s.regexp) return (scope: string) => scope.toLowerCase() === s.value.toLowerCase();
    let re: RegExp | undefined;
    try {
      re = new RegExp(`^(?:${s.value})$`, 'i');
    } catch {
      re = undefined;
    }
    return (scope: string) => re?.test(scope) ?? false;
  });
  const refused: ScopeCheck['refused'] = [];
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(attributes)) {
    if (!SCOPED_ATTRIBUTES.includes(name)) {
      out[name] = values;
      continue;
    }
    out[name] = values.filter((value) => {
      const at = value.lastIndexOf('@');
      const ok = at > 0 && at < value.length - 1 && matchers.some((m) => m(value.slice(at + 1)));
      if (!ok) refused.push({ name, value });
      return ok;
    });
    if (!out[name].length) delete out[name];
  }
  return { attributes: out, refused };
}
