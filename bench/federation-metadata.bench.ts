import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Figure } from './figures';
import { readMetadata } from '../apps/aai-bridge/src/metadata/metadata-document';
import { makeKeyPair } from '../test/support/saml-fixtures';

const run = promisify(execFile);
const MB = 1024 * 1024;
const SIGNATURE_TEMPLATE =
  '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>' +
  '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>' +
  '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>' +
  '<ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>' +
  '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>' +
  '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>' +
  '</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>';

/**
 * An eduGAIN-sized aggregate: `idps` IdPs among as many SPs, each entity shaped like a real one
 * (two signing certificates, mdui in three languages, scopes, contacts, organisation, endpoints),
 * padded with descriptions until the document is `targetMb` large. Signed with xmlsec1.
 */
export async function generateAggregate(
  dir: string,
  idps: number,
  targetMb: number,
): Promise<{ file: string; cert: string; entities: number }> {
  const { certBody } = makeKeyPair(dir, 'entity');
  const fed = makeKeyPair(dir, 'federation');
  const cert = (n: number) => certBody.slice(0, certBody.length - 8) + n.toString(16).padStart(8, '0');
  const keys = (n: number) =>
    [cert(n), cert(n + 1)]
      .map(
        (c) =>
          `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${c}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
      )
      .join('');
  const entities = idps * 2;
  const perEntity = (targetMb * MB) / entities;
  const body = (i: number, padding: string) => {
    const host = `inst${i}.example${i % 97}.edu`;
    const ui =
      ['en', 'it', 'de']
        .map(
          (l) =>
            `<mdui:DisplayName xml:lang="${l}">Institution ${i} (${l})</mdui:DisplayName><mdui:Description xml:lang="${l}">${padding}</mdui:Description>`,
        )
        .join('') + `<mdui:Logo height="64" width="64">https://${host}/logo.png</mdui:Logo>`;
    const contacts =
      `<md:Organization><md:OrganizationName xml:lang="en">Institution ${i}</md:OrganizationName><md:OrganizationDisplayName xml:lang="en">Institution ${i}</md:OrganizationDisplayName><md:OrganizationURL xml:lang="en">https://${host}/</md:OrganizationURL></md:Organization>` +
      `<md:ContactPerson contactType="technical"><md:GivenName>Ops</md:GivenName><md:EmailAddress>mailto:ops@${host}</md:EmailAddress></md:ContactPerson>`;
    if (i % 2 === 0)
      return (
        `<md:EntityDescriptor entityID="https://${host}/idp/shibboleth"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
        `<md:Extensions><shibmd:Scope regexp="false">${host}</shibmd:Scope><mdui:UIInfo>${ui}</mdui:UIInfo></md:Extensions>${keys(i)}` +
        `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://${host}/idp/profile/SAML2/Redirect/SLO"/>` +
        `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://${host}/idp/profile/SAML2/POST/SSO"/>` +
        `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://${host}/idp/profile/SAML2/Redirect/SSO"/>` +
        `</md:IDPSSODescriptor>${contacts}</md:EntityDescriptor>\n`
      );
    return (
      `<md:EntityDescriptor entityID="https://${host}/sp"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
      `<md:Extensions><mdui:UIInfo>${ui}</mdui:UIInfo></md:Extensions>${keys(i)}` +
      `<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://${host}/Shibboleth.sso/SAML2/POST" index="1"/>` +
      `</md:SPSSODescriptor>${contacts}</md:EntityDescriptor>\n`
    );
  };
  const fixed = body(0, '').length;
  const padding = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(Math.max(0, Math.floor((perEntity - fixed) / 3 / 57)));
  const parts = [
    `<?xml version="1.0" encoding="UTF-8"?>\n<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ` +
      `xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" xmlns:shibmd="urn:mace:shibboleth:metadata:1.0" ID="_bench${randomBytes(6).toString('hex')}" ` +
      `Name="urn:bench:edugain" validUntil="${new Date(Date.now() + 7 * 86_400_000).toISOString()}" cacheDuration="PT6H">${SIGNATURE_TEMPLATE}\n`,
  ];
  for (let i = 0; i < entities; i++) parts.push(body(i, padding));
  parts.push('</md:EntitiesDescriptor>\n');
  const unsigned = join(dir, 'unsigned.xml');
  const file = join(dir, 'aggregate.xml');
  await writeFile(unsigned, parts.join(''));
  await run(
    'xmlsec1',
    [
      '--sign',
      '--privkey-pem',
      `${fed.key},${fed.cert}`,
      '--id-attr:ID',
      'urn:oasis:names:tc:SAML:2.0:metadata:EntitiesDescriptor',
      '--output',
      file,
      unsigned,
    ],
    { maxBuffer: 16 * MB },
  );
  await rm(unsigned);
  return { file, cert: fed.cert, entities };
}

/** In a process of its own, so its peak memory is the load's: read, verify, parse, index. */
async function measureLoad(file: string, cert: string): Promise<void> {
  const started = process.hrtime.bigint();
  const xml = await readFile(file, 'utf8');
  const doc = readMetadata(xml, { signers: [{ name: 'federation', pem: await readFile(cert, 'utf8') }], now: new Date() });
  const index = new Map(doc.entities.map((e) => [e.entityId, e]));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // A login looks its IdP up in memory: the aggregate is never parsed again.
  const lookupStarted = process.hrtime.bigint();
  for (let i = 0; i < 10_000; i++) index.get(doc.entities[i % doc.entities.length].entityId);
  const lookupMicros = Number(process.hrtime.bigint() - lookupStarted) / 1e3 / 10_000;
  console.log(
    JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, idps: index.size, signer: doc.signer, lookupMicros }),
  );
}

/** Generates the aggregate, then loads it in a child process; targets: under 10 s and 400 MB. */
export async function benchFederationMetadata(idps = 3500, targetMb = 80): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'aai-md-bench-'));
  try {
    const generated = Date.now();
    const { file, cert, entities } = await generateAggregate(dir, idps, targetMb);
    const size = (await stat(file)).size / MB;
    console.log(
      `aggregate: ${size.toFixed(1)} MB, ${entities} entities (${idps} IdPs), generated and signed with xmlsec1 in ${((Date.now() - generated) / 1000).toFixed(1)} s`,
    );
    const { stdout } = await run(process.execPath, [__filename, '--measure', file, cert], { maxBuffer: MB });
    const m = JSON.parse(stdout.trim().split('\n').pop()!) as { seconds: number; maxRssMb: number; idps: number; lookupMicros: number };
    console.log(
      `load (read, verify the signature, parse, index): ${m.seconds.toFixed(2)} s (target < 10 s), peak RSS ${m.maxRssMb.toFixed(0)} MB (target < 400 MB), ` +
        `${m.idps} IdPs; IdP lookup at login ${m.lookupMicros.toFixed(2)} µs`,
    );
    return [
      { name: 'metadata.load_seconds', value: m.seconds, baseline: null, unit: 's', target: '< 10' },
      { name: 'metadata.peak_rss_mb', value: m.maxRssMb, baseline: null, unit: 'MB', target: '< 400' },
      { name: 'metadata.idp_lookup_us', value: m.lookupMicros, baseline: null, unit: 'us', target: null },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module && process.argv[2] === '--measure') {
  measureLoad(process.argv[3], process.argv[4]).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
