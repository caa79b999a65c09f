import { createHash, X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const MDUI = 'urn:oasis:names:tc:SAML:metadata:ui';
const SHIBMD = 'urn:mace:shibboleth:metadata:1.0';
const SAML2_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const EXC_C14N = ['http://www.w3.org/2001/10/xml-exc-c14n#', 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments'];
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
// SHA-1 signatures are forgeable in practice: a federation signs with SHA-2.
const SIGNATURE_ALGORITHMS = [
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
];

/** A scope an IdP declares (shibmd:Scope): a literal domain, or a regular expression. */
export interface IdpScope {
  value: string;
  regexp: boolean;
}

/** What the bridge needs of one IdP, read once per refresh (a login never re-parses metadata). */
export interface IdpEntity {
  entityId: string;
  ssoUrl: string;
  sloUrl?: string;
  /** Every signing certificate listed (key rollover: the IdP may list the old and the new). */
  signingCerts: string[];
  /** mdui:DisplayName (English first, then Italian, then any), else the organisation's, else the entityID. */
  displayName: string;
  scopes: IdpScope[];
}

/** A federation's metadata signing certificate, named for reports (its file). */
export interface MetadataSigner {
  name: string;
  pem: string;
}

export type RefusalReason = 'invalid' | 'unsigned' | 'signature' | 'expired';

/** A metadata document the bridge will not use, and why (reported per source, counted in metrics). */
export class MetadataRefused extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

export interface MetadataDocument {
  entities: IdpEntity[];
  /** The earliest validUntil of the root (after it, the whole document is refused). */
  validUntil?: Date;
  cacheDurationSeconds?: number;
  /** Name of the signer whose certificate verified the document (none when no signers are configured). */
  signer?: string;
  /** sha256 of the document as fetched: an unchanged copy is not written again. */
  digest: string;
  /** Entities without a usable SAML 2 IdP role, or expired on their own validUntil. */
  skipped: number;
}

/**
 * Reads a metadata document (one EntityDescriptor or an EntitiesDescriptor aggregate, nested or
 * not). With signers, its root must carry an enveloped signature by one of them covering the
 * whole document, and only what that signature covers is read (no wrapping).
 */
export function readMetadata(xml: string, o: { signers: MetadataSigner[]; now: Date }): MetadataDocument {
  const digest = createHash('sha256').update(xml).digest('hex');
  let root = parseXml(xml).documentElement!;
  if (root.namespaceURI !== MD || !['EntityDescriptor', 'EntitiesDescriptor'].includes(root.localName))
    throw new MetadataRefused('invalid', `the root element is ${root.localName}, not an md:EntityDescriptor or md:EntitiesDescriptor`);
  let signer: string | undefined;
  if (o.signers.length) {
    const verified = verifyRootSignature(xml, root, o.signers);
    signer = verified.signer;
    // Only the bytes the signature covers are used from here on.
    root = parseXml(verified.signedXml).documentElement!;
  }
  const validUntil = dateAttribute(root, 'validUntil');
  if (validUntil && validUntil.getTime() <= o.now.getTime())
    throw new MetadataRefused('expired', `the metadata expired at ${validUntil.toISOString()} (validUntil)`);
  const cacheDuration = root.getAttribute('cacheDuration');
  const entities: IdpEntity[] = [];
  let skipped = 0;
  // A document of one entity is that IdP's own metadata: say what it lacks rather than skip it.
  if (root.localName === 'EntityDescriptor') {
    const only = idpEntity(root, true)!;
    return {
      entities: [only],
      validUntil,
      cacheDurationSeconds: cacheDuration ? parseDuration(cacheDuration) : undefined,
      signer,
      digest,
      skipped,
    };
  }
  const walk = (el: Element) => {
    const until = dateAttribute(el, 'validUntil');
    if (until && until.getTime() <= o.now.getTime()) {
      skipped += el.localName === 'EntityDescriptor' ? 1 : el.getElementsByTagNameNS(MD, 'EntityDescriptor').length;
      return;
    }
    if (el.localName === 'EntityDescriptor') {
      const idp = idpEntity(el);
      if (idp) entities.push(idp);
      else skipped++;
      return;
    }
    for (const child of childElements(el, MD))
      if (child.localName === 'EntityDescriptor' || child.localName === 'EntitiesDescriptor') walk(child);
  };
  walk(root);
  return {
    entities,
    validUntil,
    cacheDurationSeconds: cacheDuration ? parseDuration(cacheDuration) : undefined,
    signer,
    digest,
    skipped,
  };
}

/** An IdP's role read from its EntityDescriptor; undefined (or, strict, an error) when it has no usable one. */
function idpEntity(entity: Element, strict = false): IdpEntity | undefined {
  const fail = (why: string) => {
    if (strict) throw new MetadataRefused('invalid', `IdP metadata ${why}`);
    return undefined;
  };
  const entityId = entity.getAttribute('entityID');
  if (!entityId) return fail('EntityDescriptor has no entityID');
  const role = childElements(entity, MD).find(
    (c) => c.localName === 'IDPSSODescriptor' && (c.getAttribute('protocolSupportEnumeration') ?? SAML2_PROTOCOL).includes(SAML2_PROTOCOL),
  );
  if (!role) return fail('has no EntityDescriptor with an IDPSSODescriptor');
  const endpoint = (tag: string) =>
    childElements(role, MD)
      .find((e) => e.localName === tag && e.getAttribute('Binding') === REDIRECT)
      ?.getAttribute('Location') ?? undefined;
  const ssoUrl = endpoint('SingleSignOnService');
  if (!ssoUrl) return fail('has no HTTP-Redirect SingleSignOnService');
  const signingCerts = childElements(role, MD)
    .filter((k) => k.localName === 'KeyDescriptor')
    // No "use" means the key serves both signing and encryption.
    .filter((k) => (k.getAttribute('use') || 'signing') === 'signing')
    .flatMap((k) => Array.from(k.getElementsByTagNameNS(DS, 'X509Certificate')))
    .map((c) => (c.textContent ?? '').replace(/\s+/g, ''))
    .filter(Boolean);
  if (!signingCerts.length) return fail('lists no signing certificate');
  const extensions = [...childElements(entity, MD), ...childElements(role, MD)].filter((e) => e.localName === 'Extensions');
  const scopes = extensions
    .flatMap((e) => childElements(e, SHIBMD).filter((s) => s.localName === 'Scope'))
    .map((s) => ({ value: (s.textContent ?? '').trim(), regexp: s.getAttribute('regexp') === 'true' }))
    .filter((s) => s.value);
  return {
    entityId,
    ssoUrl,
    sloUrl: endpoint('SingleLogoutService'),
    signingCerts: [...new Set(signingCerts)],
    displayName: displayNameOf(entity, extensions) ?? entityId,
    scopes,
  };
}

function displayNameOf(entity: Element, extensions: Element[]): string | undefined {
  const names = extensions
    .flatMap((e) => childElements(e, MDUI).filter((u) => u.localName === 'UIInfo'))
    .flatMap((u) => childElements(u, MDUI).filter((n) => n.localName === 'DisplayName'));
  const organisation = childElements(entity, MD).find((c) => c.localName === 'Organization');
  if (organisation) names.push(...childElements(organisation, MD).filter((n) => n.localName === 'OrganizationDisplayName'));
  const lang = (n: Element) => n.getAttributeNS('http://www.w3.org/XML/1998/namespace', 'lang') || n.getAttribute('xml:lang');
  const best = names.find((n) => lang(n) === 'en') ?? names.find((n) => lang(n) === 'it') ?? names[0];
  return best?.textContent?.trim() || undefined;
}

/**
 * The root's own enveloped signature, by one of the signers, with one reference to the root (URI
 * "" or its ID) under exclusive c14n: returns the canonical signed root, the only thing then read.
 */
function verifyRootSignature(xml: string, root: Element, signers: MetadataSigner[]): { signer: string; signedXml: string } {
  const signatures = childElements(root, DS).filter((c) => c.localName === 'Signature');
  if (!signatures.length) throw new MetadataRefused('unsigned', 'the metadata root carries no signature');
  if (signatures.length > 1) throw new MetadataRefused('signature', 'the metadata root carries several signatures');
  const signature = signatures[0];
  const keyInfoCert = (signature.getElementsByTagNameNS(DS, 'X509Certificate')[0]?.textContent ?? '').replace(/\s+/g, '');
  // The signer named in KeyInfo first (only as a hint: the key always comes from the configured file).
  const ordered = [...signers].sort((a, b) => Number(pemBody(b.pem) === keyInfoCert) - Number(pemBody(a.pem) === keyInfoCert));
  const rootId = root.getAttribute('ID');
  let lastError = 'no configured signer verifies it';
  for (const signer of ordered) {
    const sig = new SignedXml({ publicCert: signer.pem, getCertFromKeyInfo: () => null });
    sig.loadSignature(signature);
    checkSignatureShape(sig, rootId);
    let ok: boolean;
    try {
      ok = sig.checkSignature(xml);
    } catch (err) {
      ok = false;
      lastError = (err as Error).message;
    }
    if (!ok) continue;
    const signed = sig.getSignedReferences();
    if (signed.length !== 1) throw new MetadataRefused('signature', 'the signature must have exactly one reference');
    return { signer: signer.name, signedXml: signed[0] };
  }
  throw new MetadataRefused('signature', `the metadata signature does not verify against AAI_METADATA_SIGNERS: ${lastError}`);
}

function checkSignatureShape(sig: SignedXml, rootId: string | null): void {
  const refs = sig.getReferences();
  if (refs.length !== 1) throw new MetadataRefused('signature', `the signature has ${refs.length} references, not one`);
  const [ref] = refs;
  if (!(ref.uri === '' || (rootId && ref.uri === `#${rootId}`)))
    throw new MetadataRefused('signature', `the signature covers ${ref.uri}, not the whole document`);
  const transforms = ref.transforms ?? [];
  if (transforms.some((t) => t !== ENVELOPED && !EXC_C14N.includes(t)) || !transforms.includes(ENVELOPED))
    throw new MetadataRefused('signature', `the signature's transforms (${transforms.join(', ')}) are not enveloped and exclusive c14n`);
  if (!EXC_C14N.includes(sig.canonicalizationAlgorithm ?? ''))
    throw new MetadataRefused('signature', `the signature's canonicalization ${sig.canonicalizationAlgorithm} is not exclusive c14n`);
  if (!SIGNATURE_ALGORITHMS.includes(sig.signatureAlgorithm ?? ''))
    throw new MetadataRefused('signature', `the signature algorithm ${sig.signatureAlgorithm} is not accepted (RSA with SHA-2 only)`);
}

/** A display name for a signer certificate: its subject CN and fingerprint. */
export function signerName(file: string, pem: string): string {
  try {
    const cert = new X509Certificate(pem);
    const cn = /CN=([^\n,]+)/.exec(cert.subject)?.[1] ?? cert.subject;
    return `${cn} (${file}, sha256 ${cert.fingerprint256.slice(0, 23)})`;
  } catch {
    throw new Error(`AAI_METADATA_SIGNERS: ${file} is not a PEM certificate`);
  }
}

const pemBody = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

function parseXml(xml: string): Document {
  const errors: string[] = [];
  const doc = new DOMParser({
    errorHandler: { warning: () => undefined, error: (msg: string) => errors.push(msg), fatalError: (msg: string) => errors.push(msg) },
  }).parseFromString(xml, 'text/xml');
  if (errors.length || !doc?.documentElement)
    throw new MetadataRefused('invalid', `the metadata is not valid XML: ${errors[0] ?? 'empty'}`);
  return doc;
}

function childElements(el: Element, ns: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1 && (n as Element).namespaceURI === ns) out.push(n as Element);
  return out;
}

function dateAttribute(el: Element, name: string): Date | undefined {
  const raw = el.getAttribute(name);
  if (!raw) return undefined;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw new MetadataRefused('invalid', `${name}="${raw}" is not a date`);
  return new Date(t);
}

/** An xsd:duration (PnYnMnDTnHnMnS) in seconds (a year 365 days, a month 30). */
export function parseDuration(raw: string): number {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(raw.trim());
  if (!m || raw.trim() === 'P' || raw.trim().endsWith('T'))
    throw new MetadataRefused('invalid', `cacheDuration="${raw}" is not a duration`);
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0));
  return Math.round(((y * 365 + mo * 30 + d) * 24 + h) * 3600 + mi * 60 + s);
}
