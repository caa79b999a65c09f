import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Namespaces an aggregate declares on its root, so the entities and extensions inside may use them. */
export const FEDERATION_NS =
  'xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ' +
  'xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" xmlns:shibmd="urn:mace:shibboleth:metadata:1.0"';

/** The signature template xmlsec1 fills: enveloped, exclusive c14n, RSA-SHA256, the whole document (URI ""). */
const SIGNATURE_TEMPLATE =
  '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>' +
  '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>' +
  '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>' +
  '<ds:Reference URI=""><ds:Transforms>' +
  '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>' +
  '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>' +
  '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>' +
  '</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>';

/**
 * An IdP's EntityDescriptor as a federation republishes it: the XML prolog dropped, the scopes and
 * display name the federation registered added to its IDPSSODescriptor, extra signing keys listed
 * (a rollover), or its own keys replaced.
 */
export function federatedEntity(
  entityXml: string,
  o: { scopes?: string[]; displayName?: string; signingCerts?: string[]; replaceKeys?: boolean } = {},
): string {
  let xml = entityXml.replace(/<\?xml[^>]*\?>/, '').trim();
  // SimpleSAMLphp signs nothing here, but an entity's own signature would not survive our edits.
  xml = xml.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '');
  const extensions =
    (o.scopes ?? []).map((s) => `<shibmd:Scope regexp="false">${s}</shibmd:Scope>`).join('') +
    (o.displayName ? `<mdui:UIInfo><mdui:DisplayName xml:lang="en">${o.displayName}</mdui:DisplayName></mdui:UIInfo>` : '');
  const keys = (o.signingCerts ?? [])
    .map(
      (c) =>
        `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${c}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    )
    .join('');
  if (o.replaceKeys) xml = xml.replace(/<md:KeyDescriptor[\s\S]*?<\/md:KeyDescriptor>/g, '');
  return xml.replace(/(<md:IDPSSODescriptor[^>]*>)/, `$1${extensions ? `<md:Extensions>${extensions}</md:Extensions>` : ''}${keys}`);
}

/** An EntitiesDescriptor around entities, unsigned (sign it with signMetadata). */
export function aggregate(entities: string[], o: { validUntil: Date; cacheDuration?: string; name?: string }): string {
  const id = `_fed${randomBytes(8).toString('hex')}`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<md:EntitiesDescriptor ${FEDERATION_NS} ID="${id}" Name="${o.name ?? 'urn:test:federation'}" ` +
    `validUntil="${o.validUntil.toISOString()}"${o.cacheDuration ? ` cacheDuration="${o.cacheDuration}"` : ''}>` +
    `${entities.join('\n')}</md:EntitiesDescriptor>\n`
  );
}

/** Signs a metadata document's root with Debian's xmlsec1, as a federation's signing service does. */
export function signMetadata(xml: string, signer: { key: string; cert: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'md-sign-'));
  try {
    // The template goes first inside the root (where the schema wants ds:Signature).
    const withTemplate = xml.replace(/(<md:(EntitiesDescriptor|EntityDescriptor)\b[^>]*>)/, `$1${SIGNATURE_TEMPLATE}`);
    const root = /<md:(EntitiesDescriptor|EntityDescriptor)\b/.exec(xml)![1];
    writeFileSync(join(dir, 'in.xml'), withTemplate);
    execFileSync(
      'xmlsec1',
      [
        '--sign',
        '--privkey-pem',
        `${signer.key},${signer.cert}`,
        '--id-attr:ID',
        `urn:oasis:names:tc:SAML:2.0:metadata:${root}`,
        '--output',
        join(dir, 'out.xml'),
        join(dir, 'in.xml'),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return readFileSync(join(dir, 'out.xml'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A static HTTP server: the federation's aggregate at /aggregate.xml and an MDQ responder under /mdq/. */
export interface MetadataServer {
  url: string;
  /** Every GET answered (404s aside), and whether it was conditional (If-None-Match). */
  requests: Array<{ path: string; conditional: boolean }>;
  /** What GET path answers (undefined: 404). */
  publish(path: string, body: string | undefined): void;
  stop(): Promise<void>;
}

export async function startMetadataServer(): Promise<MetadataServer> {
  const files = new Map<string, string>();
  const requests: MetadataServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const body = files.get((req.url ?? '/').split('?')[0]);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    // As a federation's server does: an unchanged document is a 304 to a conditional GET.
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    requests.push({ path: req.url ?? '/', conditional: req.headers['if-none-match'] !== undefined });
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ETag: etag }).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/samlmetadata+xml', ETag: etag }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    publish: (path, body) => (body === undefined ? files.delete(path) : files.set(path, body)),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
