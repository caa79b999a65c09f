import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignedXml } from 'xml-crypto';
import { MetadataRefused, parseDuration, readMetadata } from './metadata-document';

const NOW = new Date('2026-06-01T00:00:00Z');
const MD_NS =
  'xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ' +
  'xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" xmlns:shibmd="urn:mace:shibboleth:metadata:1.0"';

function keyPair(name: string): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'md-spec-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${dir}/k`, '-out', `${dir}/c`],
    {
      stdio: 'ignore',
    },
  );
  return { key: readFileSync(`${dir}/k`, 'utf8'), cert: readFileSync(`${dir}/c`, 'utf8') };
}
const federation = keyPair('federation');
const other = keyPair('other');
const signers = [{ name: 'federation', pem: federation.cert }];

const entity = (id: string, o: { scope?: string; name?: string; validUntil?: string; sso?: boolean } = {}) =>
  `<md:EntityDescriptor entityID="${id}"${o.validUntil ? ` validUntil="${o.validUntil}"` : ''}>` +
  `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:Extensions>` +
  (o.scope
    ? `<shibmd:Scope regexp="false">${o.scope}</shibmd:Scope><shibmd:Scope regexp="true">^.+\\.${o.scope.replace('.', '\\.')}$</shibmd:Scope>`
    : '') +
  (o.name
    ? `<mdui:UIInfo><mdui:DisplayName xml:lang="it">${o.name} (it)</mdui:DisplayName><mdui:DisplayName xml:lang="en">${o.name}</mdui:DisplayName></mdui:UIInfo>`
    : '') +
  `</md:Extensions><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
  (o.sso === false ? '' : `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${id}/sso"/>`) +
  `</md:IDPSSODescriptor></md:EntityDescriptor>`;
const aggregate = (body: string, attrs = 'validUntil="2026-06-08T00:00:00Z" cacheDuration="PT6H"') =>
  `<md:EntitiesDescriptor ${MD_NS} ID="agg1" Name="test-federation" ${attrs}>${body}</md:EntitiesDescriptor>`;

function sign(
  xml: string,
  key: string,
  o: { uri?: string; algorithm?: string; xpath?: string; action?: 'prepend' | 'append' } = {},
): string {
  const sig = new SignedXml({
    privateKey: key,
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    signatureAlgorithm: o.algorithm ?? 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  });
  sig.addReference({
    xpath: o.xpath ?? '/*',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    ...(o.xpath === undefined ? { isEmptyUri: true } : {}),
  });
  sig.computeSignature(xml, { location: { reference: '/*', action: o.action ?? 'prepend' } });
  return sig.getSignedXml();
}

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof MetadataRefused) return err.reason;
    throw err;
  }
  throw new Error('not refused');
};

describe('metadata documents', () => {
  const twoIdps = aggregate(
    entity('https://idp.infn.test', { scope: 'infn.it', name: 'INFN' }) + entity('https://idp.unimi.test', { scope: 'unimi.it' }),
  );

  it('reads every IdP of an aggregate with its display name and scopes', () => {
    const doc = readMetadata(sign(twoIdps, federation.key), { signers, now: NOW });
    expect(doc.entities.map((e) => [e.entityId, e.displayName, e.scopes])).toEqual([
      [
        'https://idp.infn.test',
        'INFN',
        [
          { value: 'infn.it', regexp: false },
          { value: '^.+\\.infn\\.it$', regexp: true },
        ],
      ],
      [
        'https://idp.unimi.test',
        'https://idp.unimi.test',
        [
          { value: 'unimi.it', regexp: false },
          { value: '^.+\\.unimi\\.it$', regexp: true },
        ],
      ],
    ]);
    expect([doc.signer, doc.validUntil?.toISOString(), doc.cacheDurationSeconds]).toEqual([
      'federation',
      '2026-06-08T00:00:00.000Z',
      6 * 3600,
    ]);
  });

  it('refuses an unsigned, tampered or foreign-signed aggregate when signers are configured', () => {
    expect(refusal(() => readMetadata(twoIdps, { signers, now: NOW }))).toBe('unsigned');
    const signed = sign(twoIdps, federation.key);
    expect(refusal(() => readMetadata(signed.replace('idp.unimi.test/sso', 'evil.test/sso'), { signers, now: NOW }))).toBe('signature');
    expect(refusal(() => readMetadata(sign(twoIdps, other.key), { signers, now: NOW }))).toBe('signature');
  });

  it('refuses SHA-1 signatures', () => {
    expect(
      refusal(() =>
        readMetadata(sign(twoIdps, federation.key, { algorithm: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' }), { signers, now: NOW }),
      ),
    ).toBe('signature');
  });

  it('refuses a wrapped aggregate: a signed document moved inside an unsigned root', () => {
    const signed = sign(twoIdps, federation.key);
    const evil = entity('https://idp.evil.test', { scope: 'infn.it' });
    const wrapped = `<md:EntitiesDescriptor ${MD_NS}>${evil}${signed}</md:EntitiesDescriptor>`;
    expect(refusal(() => readMetadata(wrapped, { signers, now: NOW }))).toBe('unsigned');
    // The signature moved to the outer root still covers the inner document only.
    const signatureXml = /<(ds:)?Signature[\s\S]*<\/(ds:)?Signature>/;
    const inner = signed.replace(signatureXml, '');
    const signature = signatureXml.exec(signed)![0];
    const moved = `<md:EntitiesDescriptor ${MD_NS} ID="outer">${signature}${evil}${inner}</md:EntitiesDescriptor>`;
    expect(refusal(() => readMetadata(moved, { signers, now: NOW }))).toBe('signature');
  });

  it('refuses an expired document, skips expired entities and entities that are no IdP', () => {
    expect(
      refusal(() => readMetadata(aggregate(entity('https://a'), 'validUntil="2026-05-31T00:00:00Z"'), { signers: [], now: NOW })),
    ).toBe('expired');
    const doc = readMetadata(
      aggregate(
        entity('https://a') + entity('https://old', { validUntil: '2026-01-01T00:00:00Z' }) + entity('https://nosso', { sso: false }),
      ),
      { signers: [], now: NOW },
    );
    expect([doc.entities.map((e) => e.entityId), doc.skipped]).toEqual([['https://a'], 2]);
  });

  it('reads nested aggregates', () => {
    const doc = readMetadata(aggregate(`<md:EntitiesDescriptor>${entity('https://a')}</md:EntitiesDescriptor>${entity('https://b')}`), {
      signers: [],
      now: NOW,
    });
    expect(doc.entities.map((e) => e.entityId)).toEqual(['https://a', 'https://b']);
  });

  it('names what the metadata of a single IdP lacks', () => {
    const single = { signers: [], now: NOW };
    expect(() => readMetadata(`<md:EntityDescriptor ${MD_NS} entityID="https://x"/>`, single)).toThrow(
      'no EntityDescriptor with an IDPSSODescriptor',
    );
    expect(() =>
      readMetadata(entity('https://x', { sso: false }).replace('<md:EntityDescriptor', `<md:EntityDescriptor ${MD_NS}`), single),
    ).toThrow('no HTTP-Redirect SingleSignOnService');
    expect(() => readMetadata('<x', { signers: [], now: NOW })).toThrow('not valid XML');
  });

  it('reads xsd durations', () => {
    expect([parseDuration('PT6H'), parseDuration('P1D'), parseDuration('PT30M15S')]).toEqual([21600, 86400, 1815]);
    expect(() => parseDuration('6h')).toThrow(MetadataRefused);
  });

  it('verifies what xmlsec1 signs: comments, CDATA, CRLF, entities, UTF-8, namespaces declared below the root', () => {
    const dir = mkdtempSync(join(tmpdir(), 'md-xmlsec-'));
    execFileSync('cp', ['/dev/null', `${dir}/in.xml`]);
    const odd =
      `<md:EntityDescriptor entityID="https://odd"><!-- a comment --><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">\r\n` +
      `<md:Extensions><x:Other xmlns:x="urn:x" x:a="1" b="&lt;&amp;"><![CDATA[<cdata & more>]]></x:Other><mdui:UIInfo><mdui:DisplayName xml:lang="it">Università &amp; Co</mdui:DisplayName></mdui:UIInfo></md:Extensions>` +
      `<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
      `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://odd/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
    const template =
      '<ds:Signature><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>' +
      '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"/><ds:Reference URI="#agg1"><ds:Transforms>' +
      '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>' +
      '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha512"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature>';
    const unsigned = `<?xml version="1.0" encoding="UTF-8"?>\n` + aggregate(template + entity('https://a') + odd);
    writeFileSync(`${dir}/in.xml`, unsigned);
    writeFileSync(`${dir}/key.pem`, federation.key);
    execFileSync(
      'xmlsec1',
      [
        '--sign',
        '--privkey-pem',
        `${dir}/key.pem`,
        '--id-attr:ID',
        'urn:oasis:names:tc:SAML:2.0:metadata:EntitiesDescriptor',
        '--output',
        `${dir}/out.xml`,
        `${dir}/in.xml`,
      ],
      {
        stdio: 'ignore',
      },
    );
    const signed = readFileSync(`${dir}/out.xml`, 'utf8');
    const doc = readMetadata(signed, { signers, now: NOW });
    expect(doc.entities.map((e) => [e.entityId, e.displayName])).toEqual([
      ['https://a', 'https://a'],
      ['https://odd', 'Università & Co'],
    ]);
    expect(refusal(() => readMetadata(signed.replace('Università &amp; Co', 'Universita &amp; Co'), { signers, now: NOW }))).toBe(
      'signature',
    );
  });

  it('verifies a signature placed last in the root', () => {
    expect(readMetadata(sign(twoIdps, federation.key, { action: 'append' }), { signers, now: NOW }).entities).toHaveLength(2);
  });

  it('refuses a reference to an element inside the root, two signatures, an altered SignatureValue', () => {
    const inner = aggregate(entity('https://a').replace('<md:EntityDescriptor', '<md:EntityDescriptor ID="inner"'));
    expect(refusal(() => readMetadata(sign(inner, federation.key, { xpath: "//*[@ID='inner']" }), { signers, now: NOW }))).toBe(
      'signature',
    );
    const signed = sign(twoIdps, federation.key);
    const signatureXml = /<(ds:)?Signature[\s\S]*<\/(ds:)?Signature>/.exec(signed)![0];
    expect(refusal(() => readMetadata(signed.replace(signatureXml, signatureXml + signatureXml), { signers, now: NOW }))).toBe('signature');
    const value = /<SignatureValue>([^<]+)</.exec(signed)![1];
    const altered = signed.replace(value, (value[0] === 'A' ? 'B' : 'A') + value.slice(1));
    expect(refusal(() => readMetadata(altered, { signers, now: NOW }))).toBe('signature');
  });

  it('refuses a DOCTYPE (no entity declarations) and processing instructions inside the root', () => {
    const plain = { signers: [], now: NOW };
    expect(refusal(() => readMetadata(`<!DOCTYPE x [<!ENTITY e "boom">]>${twoIdps}`, plain))).toBe('invalid');
    expect(refusal(() => readMetadata(twoIdps.replace('<md:EntityDescriptor', '<?pi x?><md:EntityDescriptor'), plain))).toBe('invalid');
  });
});
