import { createHash, Hash, verify, X509Certificate } from 'node:crypto';
import { parser as saxParser, QualifiedTag } from 'sax';
import { ExclusiveCanonicalizer } from './exc-c14n';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const MDUI = 'urn:oasis:names:tc:SAML:metadata:ui';
const SHIBMD = 'urn:mace:shibboleth:metadata:1.0';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const SAML2_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
// SHA-1 is forgeable in practice: a federation signs with SHA-2.
const SIGNATURE_HASHES: Record<string, string> = {
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': 'sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': 'sha512',
};
const DIGEST_HASHES: Record<string, string> = {
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

/** Namespaces resolved; only XML's five entities (sax otherwise knows HTML's, which XML does not). */
const SAX_OPTIONS = { xmlns: true, strictEntities: true };

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
  /** The root's validUntil (after it, the whole document is refused). */
  validUntil?: Date;
  cacheDurationSeconds?: number;
  /** Name of the signer whose certificate verified the document (none when no signers are configured). */
  signer?: string;
  /** sha256 of the document as fetched: an unchanged copy is not written again. */
  digest: string;
  /** Entities without a usable SAML 2 IdP role, or expired on their own validUntil. */
  skipped: number;
}

/** An element as far as the reader keeps it: only inside an EntityDescriptor or the root's ds:Signature. */
interface XNode {
  uri: string;
  local: string;
  /** Attributes by local name (no namespace) or `{uri}local`. */
  attrs: Map<string, string>;
  children: XNode[];
  text: string;
}

/**
 * Reads a metadata document (one EntityDescriptor or an EntitiesDescriptor aggregate, nested or
 * not) in one streaming pass, never holding a DOM of it: an eduGAIN aggregate (80 MB) is read,
 * digested and verified in a few seconds and a few hundred MB. With signers, the root must carry
 * one enveloped signature by one of them whose single reference is the root itself (URI "" or its
 * ID), exclusive c14n, RSA-SHA2: everything read is inside the root, so everything read is signed.
 */
export function readMetadata(xml: string, o: { signers: MetadataSigner[]; now: Date }): MetadataDocument {
  const digest = createHash('sha256').update(xml).digest('hex');
  // What an XML parser does to line ends before anything else (the signer canonicalized that).
  const text = xml.includes('\r') ? xml.replace(/\r\n?/g, '\n') : xml;
  const reader = new StreamingReader(o.now, o.signers.length > 0);
  const sax = saxParser(true, SAX_OPTIONS);
  sax.onopentag = (tag) => reader.open(tag as QualifiedTag);
  sax.onclosetag = (name) => reader.close(name);
  sax.ontext = (t) => reader.text(t);
  sax.oncdata = (t) => reader.text(t);
  sax.onprocessinginstruction = (pi) => reader.processingInstruction(pi.name);
  sax.ondoctype = () => {
    throw new MetadataRefused('invalid', 'the metadata has a DOCTYPE (entity declarations are not accepted)');
  };
  sax.onerror = (err) => {
    throw new MetadataRefused('invalid', `the metadata is not valid XML: ${err.message.split('\n')[0]}`);
  };
  try {
    sax.write(text).close();
  } catch (err) {
    if (err instanceof MetadataRefused) throw err;
    throw new MetadataRefused('invalid', `the metadata is not valid XML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!reader.root) throw new MetadataRefused('invalid', 'the metadata is not valid XML: empty');
  const signer = o.signers.length ? reader.verifySignature(o.signers) : undefined;
  const validUntil = dateAttribute(reader.root.attrs, 'validUntil');
  if (validUntil && validUntil.getTime() <= o.now.getTime())
    throw new MetadataRefused('expired', `the metadata expired at ${validUntil.toISOString()} (validUntil)`);
  const cacheDuration = reader.root.attrs.get('cacheDuration');
  return {
    entities: reader.entities,
    validUntil,
    cacheDurationSeconds: cacheDuration ? parseDuration(cacheDuration) : undefined,
    signer,
    digest,
    skipped: reader.skipped,
  };
}

/** The parser's events: canonicalized into the digests, and kept where an entity or the signature needs them. */
class StreamingReader {
  root?: XNode;
  entities: IdpEntity[] = [];
  skipped = 0;
  private depth = 0;
  /** The open elements of the EntityDescriptor being read, innermost last (its root at entityFrom). */
  private entity: XNode[] = [];
  private entityFrom = 0;
  /** The open elements of the root's ds:Signature being read (left out of the digest: enveloped). */
  private signature: XNode[] = [];
  private signatures: XNode[] = [];
  /** Depth of the outermost open EntitiesDescriptor past its own validUntil. */
  private expiredFrom = Infinity;
  private readonly hashes: Map<string, Hash> | undefined;
  private readonly document: ExclusiveCanonicalizer | undefined;
  private pending: string[] = [];
  private pendingLength = 0;
  private signedInfo: ExclusiveCanonicalizer | undefined;
  private signedInfoOpen = 0;
  signedInfoXml = '';

  constructor(
    private readonly now: Date,
    signed: boolean,
  ) {
    if (signed) {
      this.hashes = new Map(['sha256', 'sha384', 'sha512'].map((h) => [h, createHash(h)]));
      this.document = new ExclusiveCanonicalizer((s) => this.digestOut(s));
    }
  }

  open(tag: QualifiedTag): void {
    this.depth++;
    const node = toNode(tag);
    if (this.signature.length) {
      this.signature[this.signature.length - 1].children.push(node);
      this.signature.push(node);
      if (!this.signedInfo && tag.uri === DS && tag.local === 'SignedInfo' && this.depth === 3)
        this.signedInfo = new ExclusiveCanonicalizer((s) => (this.signedInfoXml += s));
      if (this.signedInfo && (this.signedInfoOpen || (tag.uri === DS && tag.local === 'SignedInfo' && this.depth === 3))) {
        this.signedInfoOpen++;
        this.signedInfo.open(tag);
      }
      return;
    }
    if (this.depth === 1) {
      if (tag.uri !== MD || (tag.local !== 'EntityDescriptor' && tag.local !== 'EntitiesDescriptor'))
        throw new MetadataRefused('invalid', `the root element is ${tag.local}, not an md:EntityDescriptor or md:EntitiesDescriptor`);
      this.root = node;
    }
    if (this.depth === 2 && tag.uri === DS && tag.local === 'Signature') {
      this.signature = [node];
      this.signatures.push(node);
      return;
    }
    this.document?.open(tag);
    if (tag.uri === MD && tag.local === 'EntitiesDescriptor' && this.expiredFrom === Infinity && this.expired(node))
      this.expiredFrom = this.depth;
    if (this.entity.length) {
      this.entity[this.entity.length - 1].children.push(node);
      this.entity.push(node);
    } else if (tag.uri === MD && tag.local === 'EntityDescriptor') {
      this.entity = [node];
      this.entityFrom = this.depth;
    }
  }

  close(name: string): void {
    if (this.signature.length) {
      this.signature.pop();
      if (this.signedInfoOpen) {
        this.signedInfo!.close(name);
        this.signedInfoOpen--;
      }
      this.depth--;
      return;
    }
    this.document?.close(name);
    if (this.entity.length) {
      if (this.depth === this.entityFrom) {
        this.entityDone(this.entity[0]);
        this.entity = [];
      } else this.entity.pop();
    }
    if (this.depth === this.expiredFrom) this.expiredFrom = Infinity;
    this.depth--;
    if (this.depth === 0) this.flushDigest();
  }

  text(text: string): void {
    if (this.depth === 0) return;
    if (this.signature.length) {
      this.signature[this.signature.length - 1].text += text;
      if (this.signedInfoOpen) this.signedInfo!.text(text);
      return;
    }
    if (this.entity.length) this.entity[this.entity.length - 1].text += text;
    this.document?.text(text);
  }

  /** Metadata has none inside its root; refused rather than canonicalized (as xml-crypto would). */
  processingInstruction(name: string): void {
    if (this.depth > 0) throw new MetadataRefused('invalid', `the metadata has a processing instruction (${name}) inside its root`);
  }

  /**
   * The root's one signature: its shape (one reference to the root, enveloped + exclusive c14n,
   * RSA-SHA2), the digest of the canonical root without it, then SignedInfo against each signer.
   */
  verifySignature(signers: MetadataSigner[]): string {
    if (!this.signatures.length) throw new MetadataRefused('unsigned', 'the metadata root carries no signature');
    if (this.signatures.length > 1) throw new MetadataRefused('signature', 'the metadata root carries several signatures');
    const signature = this.signatures[0];
    const signedInfo = child(signature, DS, 'SignedInfo');
    if (!signedInfo) throw new MetadataRefused('signature', 'the signature has no SignedInfo');
    const c14n = child(signedInfo, DS, 'CanonicalizationMethod')?.attrs.get('Algorithm');
    if (c14n !== EXC_C14N || child(child(signedInfo, DS, 'CanonicalizationMethod')!, '*', 'InclusiveNamespaces'))
      throw new MetadataRefused('signature', `the signature's canonicalization ${c14n} is not exclusive c14n`);
    const method = child(signedInfo, DS, 'SignatureMethod')?.attrs.get('Algorithm') ?? '';
    const signatureHash = SIGNATURE_HASHES[method];
    if (!signatureHash) throw new MetadataRefused('signature', `the signature algorithm ${method} is not accepted (RSA with SHA-2 only)`);
    const references = children(signedInfo, DS, 'Reference');
    if (references.length !== 1) throw new MetadataRefused('signature', `the signature has ${references.length} references, not one`);
    const [reference] = references;
    const uri = reference.attrs.get('URI');
    const rootId = this.root!.attrs.get('ID');
    if (!(uri === '' || (rootId && uri === `#${rootId}`)))
      throw new MetadataRefused('signature', `the signature covers ${uri ?? '(no URI)'}, not the whole document`);
    const transforms = children(child(reference, DS, 'Transforms') ?? emptyNode(), DS, 'Transform');
    const transformAlgorithms = transforms.map((t) => t.attrs.get('Algorithm') ?? '');
    if (
      !transformAlgorithms.includes(ENVELOPED) ||
      transformAlgorithms.some((t) => t !== ENVELOPED && t !== EXC_C14N) ||
      transforms.some((t) => t.children.length)
    )
      throw new MetadataRefused(
        'signature',
        `the signature's transforms (${transformAlgorithms.join(', ')}) are not enveloped and exclusive c14n`,
      );
    const digestAlgorithm = child(reference, DS, 'DigestMethod')?.attrs.get('Algorithm') ?? '';
    const digestHash = DIGEST_HASHES[digestAlgorithm];
    if (!digestHash) throw new MetadataRefused('signature', `the digest algorithm ${digestAlgorithm} is not accepted (SHA-2 only)`);
    const expected = (child(reference, DS, 'DigestValue')?.text ?? '').replace(/\s+/g, '');
    const actual = this.hashes!.get(digestHash)!.digest('base64');
    if (actual !== expected)
      throw new MetadataRefused('signature', 'the metadata does not match its signed digest (altered after signing)');
    const value = Buffer.from((child(signature, DS, 'SignatureValue')?.text ?? '').replace(/\s+/g, ''), 'base64');
    for (const signer of signers) {
      const key = new X509Certificate(signer.pem).publicKey;
      if (key.asymmetricKeyType !== 'rsa') continue;
      if (verify(signatureHash, Buffer.from(this.signedInfoXml, 'utf8'), key, value)) return signer.name;
    }
    throw new MetadataRefused('signature', 'the metadata signature does not verify against AAI_METADATA_SIGNERS');
  }

  private expired(node: XNode): boolean {
    const until = dateAttribute(node.attrs, 'validUntil');
    return !!until && until.getTime() <= this.now.getTime();
  }

  /** A whole EntityDescriptor read: kept when it is a usable IdP, in a part of the document still valid. */
  private entityDone(entity: XNode): void {
    const single = this.depth === 1;
    if (!single && (this.expiredFrom !== Infinity || this.expired(entity))) {
      this.skipped++;
      return;
    }
    const idp = idpEntity(entity, single);
    if (idp) this.entities.push(idp);
    else this.skipped++;
  }

  private digestOut(s: string): void {
    this.pending.push(s);
    this.pendingLength += s.length;
    if (this.pendingLength > 1 << 20) this.flushDigest();
  }

  private flushDigest(): void {
    if (!this.hashes || !this.pending.length) return;
    const chunk = Buffer.from(this.pending.join(''), 'utf8');
    for (const h of this.hashes.values()) h.update(chunk);
    this.pending = [];
    this.pendingLength = 0;
  }
}

function toNode(tag: QualifiedTag): XNode {
  const attrs = new Map<string, string>();
  for (const a of Object.values(tag.attributes)) {
    if (a.prefix === 'xmlns') continue;
    attrs.set(a.uri ? `{${a.uri}}${a.local}` : a.local, a.value);
  }
  return { uri: tag.uri, local: tag.local, attrs, children: [], text: '' };
}

const emptyNode = (): XNode => ({ uri: '', local: '', attrs: new Map(), children: [], text: '' });
const children = (node: XNode, uri: string, local?: string) =>
  node.children.filter((c) => (uri === '*' || c.uri === uri) && (local === undefined || c.local === local));
const child = (node: XNode, uri: string, local: string) => children(node, uri, local)[0] as XNode | undefined;

/** An IdP's role read from its EntityDescriptor; undefined (or, strict, an error) when it has no usable one. */
function idpEntity(entity: XNode, strict: boolean): IdpEntity | undefined {
  const fail = (why: string) => {
    if (strict) throw new MetadataRefused('invalid', `IdP metadata ${why}`);
    return undefined;
  };
  const entityId = entity.attrs.get('entityID');
  if (!entityId) return fail('EntityDescriptor has no entityID');
  const role = children(entity, MD, 'IDPSSODescriptor').find((c) =>
    (c.attrs.get('protocolSupportEnumeration') ?? SAML2_PROTOCOL).includes(SAML2_PROTOCOL),
  );
  if (!role) return fail('has no EntityDescriptor with an IDPSSODescriptor');
  const endpoint = (tag: string) =>
    children(role, MD, tag)
      .find((e) => e.attrs.get('Binding') === REDIRECT)
      ?.attrs.get('Location');
  const ssoUrl = endpoint('SingleSignOnService');
  if (!ssoUrl) return fail('has no HTTP-Redirect SingleSignOnService');
  const signingCerts = children(role, MD, 'KeyDescriptor')
    // No "use" means the key serves both signing and encryption.
    .filter((k) => (k.attrs.get('use') || 'signing') === 'signing')
    .flatMap((k) => descendants(k, DS, 'X509Certificate'))
    .map((c) => c.text.replace(/\s+/g, ''))
    .filter(Boolean);
  if (!signingCerts.length) return fail('lists no signing certificate');
  const extensions = [...children(entity, MD, 'Extensions'), ...children(role, MD, 'Extensions')];
  const scopes = extensions
    .flatMap((e) => children(e, SHIBMD, 'Scope'))
    .map((s) => ({ value: s.text.trim(), regexp: s.attrs.get('regexp') === 'true' }))
    .filter((s) => s.value);
  const names = extensions.flatMap((e) => children(e, MDUI, 'UIInfo')).flatMap((u) => children(u, MDUI, 'DisplayName'));
  for (const organisation of children(entity, MD, 'Organization')) names.push(...children(organisation, MD, 'OrganizationDisplayName'));
  const lang = (n: XNode) => n.attrs.get(`{${XML_NS}}lang`);
  const best = names.find((n) => lang(n) === 'en') ?? names.find((n) => lang(n) === 'it') ?? names[0];
  return {
    entityId,
    ssoUrl,
    sloUrl: endpoint('SingleLogoutService'),
    signingCerts: [...new Set(signingCerts)],
    displayName: best?.text.trim() || entityId,
    scopes,
  };
}

function descendants(node: XNode, uri: string, local: string): XNode[] {
  const out: XNode[] = [];
  for (const c of node.children) {
    if (c.uri === uri && c.local === local) out.push(c);
    out.push(...descendants(c, uri, local));
  }
  return out;
}

function dateAttribute(attrs: Map<string, string>, name: string): Date | undefined {
  const raw = attrs.get(name);
  if (!raw) return undefined;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw new MetadataRefused('invalid', `${name}="${raw}" is not a date`);
  return new Date(t);
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

/** An xsd:duration (PnYnMnDTnHnMnS) in seconds (a year 365 days, a month 30). */
export function parseDuration(raw: string): number {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(raw.trim());
  if (!m || raw.trim() === 'P' || raw.trim().endsWith('T'))
    throw new MetadataRefused('invalid', `cacheDuration="${raw}" is not a duration`);
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0));
  return Math.round(((y * 365 + mo * 30 + d) * 24 + h) * 3600 + mi * 60 + s);
}
