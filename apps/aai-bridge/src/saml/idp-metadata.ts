import { DOMParser } from '@xmldom/xmldom';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  sloUrl?: string;
  /** Every signing certificate listed (key rollover: the IdP may list the old and the new). */
  signingCerts: string[];
}

/** Reads the IdP's SAML metadata; throws naming what is missing. */
export function parseIdpMetadata(xml: string): IdpMetadata {
  const errors: string[] = [];
  const doc = new DOMParser({
    errorHandler: { warning: () => undefined, error: (msg: string) => errors.push(msg), fatalError: (msg: string) => errors.push(msg) },
  }).parseFromString(xml, 'text/xml');
  if (errors.length || !doc?.documentElement) throw new Error(`IdP metadata is not valid XML: ${errors[0] ?? 'empty'}`);
  const entity = doc.getElementsByTagNameNS(MD, 'EntityDescriptor')[0];
  const idp = doc.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0];
  if (!entity || !idp) throw new Error('IdP metadata has no EntityDescriptor with an IDPSSODescriptor');
  const entityId = entity.getAttribute('entityID');
  if (!entityId) throw new Error('IdP metadata EntityDescriptor has no entityID');
  const endpoint = (tag: string) =>
    Array.from(idp.getElementsByTagNameNS(MD, tag))
      .find((e) => e.getAttribute('Binding') === REDIRECT)
      ?.getAttribute('Location') ?? undefined;
  const ssoUrl = endpoint('SingleSignOnService');
  if (!ssoUrl) throw new Error('IdP metadata has no HTTP-Redirect SingleSignOnService');
  const signingCerts = Array.from(idp.getElementsByTagNameNS(MD, 'KeyDescriptor'))
    // No "use" means the key serves both signing and encryption.
    .filter((k) => (k.getAttribute('use') || 'signing') === 'signing')
    .flatMap((k) => Array.from(k.getElementsByTagNameNS(DS, 'X509Certificate')))
    .map((c) => (c.textContent ?? '').replace(/\s+/g, ''))
    .filter(Boolean);
  if (!signingCerts.length) throw new Error('IdP metadata lists no signing certificate');
  return { entityId, ssoUrl, sloUrl: endpoint('SingleLogoutService'), signingCerts: [...new Set(signingCerts)] };
}
