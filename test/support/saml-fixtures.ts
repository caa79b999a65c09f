import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A self-signed key pair made with openssl (the SP's, or a stand-in IdP's). */
export function makeKeyPair(dir: string, name: string): { key: string; cert: string; certBody: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}.test`, '-keyout', key, '-out', cert],
    { stdio: 'ignore' },
  );
  const certBody = readFileSync(cert, 'utf8')
    .replace(/-----[^-]+-----/g, '')
    .replace(/\s+/g, '');
  return { key, cert, certBody };
}

/** IdP metadata for suites that never log in (the bridge needs some IdP to start). */
export function stubIdpMetadata(dir: string): string {
  const { certBody } = makeKeyPair(dir, 'stub-idp');
  const path = join(dir, 'idp-metadata.xml');
  writeFileSync(
    path,
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.stub.test/idp">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certBody}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.stub.test/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`,
  );
  return path;
}

/** The SAML part of aai-bridge's environment, for a bridge at publicUrl. */
export function samlEnv(dir: string, publicUrl: string, idpMetadata?: string): Record<string, string> {
  const sp = makeKeyPair(dir, 'sp');
  return {
    AAI_PUBLIC_URL: publicUrl,
    AAI_SP_KEY: sp.key,
    AAI_SP_CERT: sp.cert,
    AAI_IDP_METADATA: idpMetadata ?? stubIdpMetadata(dir),
    AAI_SECRET_KEY: 'test-secret-key-for-sealing-0123456789',
  };
}

/** The environment of an aai-bridge node answering at publicUrl (its port is publicUrl's). */
export function bridgeEnv(o: {
  publicUrl: string;
  databaseUrl: string;
  adminToken: string;
  sp: { key: string; cert: string };
  idpMetadata: string;
  keystoneUrl: string;
  keystonePassword: string;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    PORT: new URL(o.publicUrl).port,
    DATABASE_URL: o.databaseUrl,
    AAI_ADMIN_TOKEN: o.adminToken,
    AAI_PUBLIC_URL: o.publicUrl,
    AAI_SP_KEY: o.sp.key,
    AAI_SP_CERT: o.sp.cert,
    AAI_IDP_METADATA: o.idpMetadata,
    AAI_SECRET_KEY: 'e2e-secret-key-for-sealing-0123456789',
    KEYSTONE_URL: o.keystoneUrl,
    KEYSTONE_ADMIN_PASSWORD: o.keystonePassword,
    LOG_LEVEL: 'warn',
    ...o.extra,
  };
}
