/** What the SP metadata says, as a federation (IDEM, eduGAIN) wants it registered. */
export interface SpDescription {
  entityId: string;
  acsUrl: string;
  sloUrl: string;
  /** The SP certificate's base64 body (signing and encryption). */
  certBody: string;
  wantAssertionsSigned: boolean;
  displayName?: string;
  description?: string;
  logoUrl?: string;
  /** e-mail addresses (mailto: is added). */
  technicalContact?: string;
  /** A SIRTFI security contact: published with the REFEDS contact type and the SIRTFI assurance. */
  securityContact?: string;
}

const NS = {
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  mdui: 'urn:oasis:names:tc:SAML:metadata:ui',
  mdattr: 'urn:oasis:names:tc:SAML:metadata:attribute',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  remd: 'http://refeds.org/metadata',
};
const SIRTFI = 'https://refeds.org/sirtfi';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const mailto = (email: string) => (email.startsWith('mailto:') ? email : `mailto:${email}`);

/**
 * The SP's metadata: entityID, ACS (POST), single logout (Redirect and POST), the SP certificate
 * for signing and encryption, mdui (display name, description, logo), contacts (technical, and a
 * SIRTFI security contact with the SIRTFI entity attribute). The root has an ID so it can be signed.
 */
export function spMetadataXml(sp: SpDescription, id: string): string {
  const key = (use: string) =>
    `<md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${sp.certBody}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
  const ui = [
    sp.displayName && `<mdui:DisplayName xml:lang="en">${esc(sp.displayName)}</mdui:DisplayName>`,
    sp.description && `<mdui:Description xml:lang="en">${esc(sp.description)}</mdui:Description>`,
    sp.logoUrl && `<mdui:Logo height="64" width="64">${esc(sp.logoUrl)}</mdui:Logo>`,
  ].filter(Boolean);
  const entityAttributes = sp.securityContact
    ? `<md:Extensions><mdattr:EntityAttributes><saml:Attribute Name="urn:oasis:names:tc:SAML:attribute:assurance-certification" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">` +
      `<saml:AttributeValue>${SIRTFI}</saml:AttributeValue></saml:Attribute></mdattr:EntityAttributes></md:Extensions>`
    : '';
  const contacts = [
    sp.technicalContact &&
      `<md:ContactPerson contactType="technical"><md:EmailAddress>${esc(mailto(sp.technicalContact))}</md:EmailAddress></md:ContactPerson>`,
    sp.securityContact &&
      `<md:ContactPerson contactType="other" remd:contactType="http://refeds.org/metadata/contactType/security"><md:GivenName>Security Response Team</md:GivenName>` +
        `<md:EmailAddress>${esc(mailto(sp.securityContact))}</md:EmailAddress></md:ContactPerson>`,
  ].filter(Boolean);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<md:EntityDescriptor xmlns:md="${NS.md}" xmlns:ds="${NS.ds}" xmlns:mdui="${NS.mdui}" xmlns:mdattr="${NS.mdattr}" xmlns:saml="${NS.saml}" xmlns:remd="${NS.remd}" ` +
    `ID="${id}" entityID="${esc(sp.entityId)}">` +
    entityAttributes +
    `<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="true" WantAssertionsSigned="${sp.wantAssertionsSigned}">` +
    (ui.length ? `<md:Extensions><mdui:UIInfo>${ui.join('')}</mdui:UIInfo></md:Extensions>` : '') +
    key('signing') +
    key('encryption') +
    `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(sp.sloUrl)}"/>` +
    `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${esc(sp.sloUrl)}"/>` +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>` +
    `<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${esc(sp.acsUrl)}" index="0" isDefault="true"/>` +
    `</md:SPSSODescriptor>` +
    contacts.join('') +
    `</md:EntityDescriptor>\n`
  );
}
