import { DOMParser } from '@xmldom/xmldom';
import { spMetadataXml } from './sp-metadata';

const SP = {
  entityId: 'https://aai.cloud.test/saml/metadata',
  acsUrl: 'https://aai.cloud.test/saml/acs',
  sloUrl: 'https://aai.cloud.test/saml/slo',
  certBody: 'MIIB',
  wantAssertionsSigned: true,
};
const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml');

describe('SP metadata', () => {
  it('describes the ACS, single logout, the certificate for signing and encryption', () => {
    const doc = parse(spMetadataXml(SP, '_sp1'));
    const root = doc.documentElement!;
    expect([root.getAttribute('entityID'), root.getAttribute('ID')]).toEqual([SP.entityId, '_sp1']);
    const acs = doc.getElementsByTagNameNS(MD, 'AssertionConsumerService')[0];
    expect([acs.getAttribute('Location'), acs.getAttribute('Binding')]).toEqual([
      SP.acsUrl,
      'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
    ]);
    expect(Array.from(doc.getElementsByTagNameNS(MD, 'KeyDescriptor')).map((k) => k.getAttribute('use'))).toEqual([
      'signing',
      'encryption',
    ]);
    expect(doc.getElementsByTagNameNS(MD, 'SingleLogoutService')).toHaveLength(2);
    expect(doc.getElementsByTagNameNS(MD, 'ContactPerson')).toHaveLength(0);
  });

  it('carries mdui, the technical contact and a SIRTFI security contact, escaped', () => {
    const xml = spMetadataXml(
      {
        ...SP,
        displayName: 'INFN Cloud <AAI>',
        description: 'Login & tokens',
        logoUrl: 'https://cloud.test/logo.png',
        technicalContact: 'ops@cloud.test',
        securityContact: 'cert@cloud.test',
      },
      '_sp1',
    );
    const doc = parse(xml);
    expect(doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:metadata:ui', 'DisplayName')[0].textContent).toBe('INFN Cloud <AAI>');
    expect(xml).toContain('<mdui:Description xml:lang="en">Login &amp; tokens</mdui:Description>');
    const contacts = Array.from(doc.getElementsByTagNameNS(MD, 'ContactPerson'));
    expect(
      contacts.map((c) => [
        c.getAttribute('contactType'),
        c.getAttributeNS('http://refeds.org/metadata', 'contactType'),
        c.getElementsByTagNameNS(MD, 'EmailAddress')[0].textContent,
      ]),
    ).toEqual([
      ['technical', '', 'mailto:ops@cloud.test'],
      ['other', 'http://refeds.org/metadata/contactType/security', 'mailto:cert@cloud.test'],
    ]);
    expect(xml).toContain('<saml:AttributeValue>https://refeds.org/sirtfi</saml:AttributeValue>');
  });
});
