import { parseIdpMetadata } from './idp-metadata';

const md = (
  keys: string,
  sso = '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp/sso"/>',
) =>
  `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp/e"><md:IDPSSODescriptor>${keys}${sso}` +
  `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp/slo"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
const key = (cert: string, use?: string) =>
  `<md:KeyDescriptor${use ? ` use="${use}"` : ''}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n${cert}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;

describe('IdP metadata', () => {
  it('keeps every signing certificate (rollover), skips encryption-only keys', () => {
    const parsed = parseIdpMetadata(md(key('AAAA', 'signing') + key('BBBB') + key('CCCC', 'encryption')));
    expect(parsed).toEqual({
      entityId: 'https://idp/e',
      ssoUrl: 'https://idp/sso',
      sloUrl: 'https://idp/slo',
      signingCerts: ['AAAA', 'BBBB'],
    });
  });

  it('names what is missing', () => {
    expect(() => parseIdpMetadata('<x')).toThrow(/not valid XML/);
    expect(() => parseIdpMetadata(md(key('AAAA'), ''))).toThrow('no HTTP-Redirect SingleSignOnService');
    expect(() => parseIdpMetadata(md(key('AAAA', 'encryption')))).toThrow('lists no signing certificate');
  });
});
