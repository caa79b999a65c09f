/** urn:oid attribute names (as a Shibboleth IdP sends them) → the friendly names rules use. */
const OID_NAMES: Record<string, string> = {
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.6': 'eduPersonPrincipalName',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.7': 'eduPersonEntitlement',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': 'eduPersonAffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.9': 'eduPersonScopedAffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.10': 'eduPersonTargetedID',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.13': 'eduPersonUniqueId',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.16': 'eduPersonOrcid',
  'urn:oid:1.3.6.1.4.1.5923.1.5.1.1': 'isMemberOf',
  'urn:oid:0.9.2342.19200300.100.1.3': 'mail',
  'urn:oid:0.9.2342.19200300.100.1.1': 'uid',
  'urn:oid:2.16.840.1.113730.3.1.241': 'displayName',
  'urn:oid:2.5.4.42': 'givenName',
  'urn:oid:2.5.4.4': 'sn',
  'urn:oid:2.5.4.3': 'cn',
  'urn:oid:1.3.6.1.4.1.25178.1.2.9': 'schacHomeOrganization',
  'urn:oid:1.3.6.1.4.1.25178.1.2.10': 'schacHomeOrganizationType',
  'urn:oasis:names:tc:SAML:attribute:subject-id': 'subject-id',
  'urn:oasis:names:tc:SAML:attribute:pairwise-id': 'pairwise-id',
};

/**
 * Attributes as rules see them: friendly names where the OID is known (others keep their name),
 * every value a list of strings (an IdP sends one value as a string, several as a list).
 */
export function normaliseAttributes(raw: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(raw)) {
    const friendly = OID_NAMES[name] ?? name;
    const values = (Array.isArray(value) ? value : [value])
      .map((v) =>
        typeof v === 'string'
          ? v
          : typeof v === 'object' && v !== null && '_' in v
            ? String((v as { _: unknown })._)
            : v === undefined || v === null
              ? ''
              : String(v),
      )
      .filter((v) => v !== '');
    out[friendly] = [...(out[friendly] ?? []), ...values];
  }
  return out;
}

/** Keystone's assertion format: several values joined with `;`. */
export const toKeystoneAssertion = (attributes: Record<string, string[]>): Record<string, string> =>
  Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, v.join(';')]));
