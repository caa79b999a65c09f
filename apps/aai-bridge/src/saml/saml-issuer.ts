import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';

/**
 * The Issuer a SAML message claims, read before any check: it only chooses whose keys verify
 * the message; the verified message's Issuer is then compared with it.
 */
export function claimedIssuer(encoded: string, deflated: boolean): string | undefined {
  let xml: string;
  try {
    const raw = Buffer.from(encoded, 'base64');
    xml = (deflated ? inflateRawSync(raw, { maxOutputLength: 1 << 20 }) : raw).toString('utf8');
  } catch {
    return undefined;
  }
  const doc = new DOMParser({
    errorHandler: { warning: () => undefined, error: () => undefined, fatalError: () => undefined },
  }).parseFromString(xml || '<empty/>', 'text/xml');
  const root = doc.documentElement;
  if (!root) return undefined;
  const issuerOf = (el: Element) =>
    Array.from(el.childNodes)
      .find((n) => (n as Element).localName === 'Issuer')
      ?.textContent?.trim();
  const assertion = Array.from(root.childNodes).find((n) => (n as Element).localName === 'Assertion') as Element | undefined;
  return issuerOf(root) || (assertion ? issuerOf(assertion) : undefined) || undefined;
}
