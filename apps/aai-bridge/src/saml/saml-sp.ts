import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SAML, SamlConfig, ValidateInResponseTo } from '@node-saml/node-saml';
import { SignedXml } from 'xml-crypto';
import { AaiBridgeConfig } from '../config';
import { SamlStateRepository } from './saml-state.repository';
import { spMetadataXml } from './sp-metadata';
import type { IdpEntity } from '../metadata/metadata-document';

/**
 * The SAML SP as configured: node-saml set up strictly, one instance per IdP (signatures from that
 * IdP's metadata certificates only, audience, issuer, time with bounded skew, InResponseTo from
 * PostgreSQL). The SP key and certificate are read at start: a bad one stops the process naming it.
 */
@Injectable()
export class SamlSp implements OnApplicationBootstrap {
  private readonly logger = new Logger(SamlSp.name);
  private key!: string;
  spCert!: string;
  entityId!: string;
  acsUrl!: string;
  sloUrl!: string;
  /** Rebuilt when the IdP's metadata changes (a key rollover, a new endpoint). */
  private readonly perIdp = new Map<string, { version: string; saml: SAML }>();
  private spMetadata?: string;

  constructor(
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
    private readonly state: SamlStateRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const publicUrl = this.config.AAI_PUBLIC_URL;
    this.entityId = this.config.AAI_SP_ENTITY_ID ?? `${publicUrl}/saml/metadata`;
    this.acsUrl = `${publicUrl}/saml/acs`;
    this.sloUrl = `${publicUrl}/saml/slo`;
    this.key = await readPem('AAI_SP_KEY', this.config.AAI_SP_KEY, 'PRIVATE KEY');
    this.spCert = await readPem('AAI_SP_CERT', this.config.AAI_SP_CERT, 'CERTIFICATE');
    this.logger.log({ entityId: this.entityId }, 'SAML SP ready');
  }

  /** node-saml for messages from and to this IdP: only its metadata's certificates verify them. */
  forIdp(idp: IdpEntity): SAML {
    const version = JSON.stringify([idp.ssoUrl, idp.sloUrl, idp.signingCerts]);
    const known = this.perIdp.get(idp.entityId);
    if (known?.version === version) return known.saml;
    const saml = new SAML({
      ...this.spOptions(),
      entryPoint: idp.ssoUrl,
      logoutUrl: idp.sloUrl ?? idp.ssoUrl,
      idpIssuer: idp.entityId,
      // Only the metadata's certificates: never one carried inside the message.
      idpCert: idp.signingCerts,
    });
    this.perIdp.set(idp.entityId, { version, saml });
    return saml;
  }

  /** The SP metadata (built once: it changes only with the configuration), signed with the SP key if asked. */
  metadata(): string {
    if (this.spMetadata) return this.spMetadata;
    const certBody = this.spCert.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    const id = `_${createHash('sha256').update(this.entityId).digest('hex').slice(0, 32)}`;
    const xml = spMetadataXml(
      {
        entityId: this.entityId,
        acsUrl: this.acsUrl,
        sloUrl: this.sloUrl,
        certBody,
        wantAssertionsSigned: this.config.AAI_WANT_ASSERTIONS_SIGNED,
        displayName: this.config.AAI_SP_DISPLAY_NAME,
        description: this.config.AAI_SP_DESCRIPTION,
        logoUrl: this.config.AAI_SP_LOGO_URL,
        technicalContact: this.config.AAI_SP_TECHNICAL_CONTACT,
        securityContact: this.config.AAI_SP_SECURITY_CONTACT,
      },
      id,
    );
    this.spMetadata = this.config.AAI_SP_SIGN_METADATA ? this.sign(xml, id) : xml;
    return this.spMetadata;
  }

  /** An enveloped signature on the root, as federations sign metadata: exclusive c14n, RSA-SHA256. */
  private sign(xml: string, id: string): string {
    const sig = new SignedXml({
      privateKey: this.key,
      publicCert: this.spCert,
      canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
      signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    });
    sig.addReference({
      xpath: `/*[@ID='${id}']`,
      transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    });
    // ds:Signature is the root's first child, as the metadata schema wants.
    sig.computeSignature(xml, { prefix: 'ds', location: { reference: '/*', action: 'prepend' } });
    return sig.getSignedXml();
  }

  private spOptions(): Omit<SamlConfig, 'idpCert'> {
    return {
      logoutCallbackUrl: this.sloUrl,
      callbackUrl: this.acsUrl,
      issuer: this.entityId,
      audience: this.entityId,
      privateKey: this.key,
      decryptionPvk: this.key,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
      wantAssertionsSigned: this.config.AAI_WANT_ASSERTIONS_SIGNED,
      wantAuthnResponseSigned: this.config.AAI_WANT_RESPONSE_SIGNED,
      acceptedClockSkewMs: this.config.AAI_CLOCK_SKEW_SECONDS * 1000,
      identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
      disableRequestedAuthnContext: true,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: 10 * 60_000,
      cacheProvider: this.state,
    };
  }
}

async function readPem(variable: string, path: string, label: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`${variable}=${path}: cannot read it (${(err as NodeJS.ErrnoException).code})`);
  }
  if (!text.includes(`-----BEGIN`) || !text.includes(label.split(' ').pop()!)) throw new Error(`${variable}=${path}: not a PEM ${label}`);
  return text;
}
