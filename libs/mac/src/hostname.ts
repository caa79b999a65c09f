// Dot-separated labels of 1-63 letters, digits and inner hyphens (RFC 1123), checked in one pass.
const HOSTNAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** The one spelling hostnames are stored and compared in: trimmed, lower-case, without the root's trailing dot. */
function canonicalHostname(text: string): string {
  return text.trim().toLowerCase().replace(/\.$/, '');
}

/** The canonical hostname, or null when it is not a valid DNS name (uploads refuse those). */
export function normaliseHostname(text: string): string | null {
  const name = canonicalHostname(text);
  return name.length <= 253 && HOSTNAME.test(name) ? name : null;
}

/** The forms a port's hostname is matched by: the full name, its first label, and whether it has more. */
export interface HostnameKey {
  full: string;
  short: string;
  qualified: boolean;
}

/**
 * The hostname forms that count as "the same machine": a VM named `vm1` matches a registered
 * `vm1.cnaf.infn.it` and vice versa; two different fully qualified names never match. Not
 * validated: a port's name only has to compare equal to a registered (valid) one.
 */
export function hostnameKey(hostname: string | undefined): HostnameKey | null {
  if (!hostname) return null;
  const full = canonicalHostname(hostname);
  if (!full) return null;
  return { full, short: full.split('.')[0], qualified: full.includes('.') };
}
