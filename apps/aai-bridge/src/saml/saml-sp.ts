import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { readFile } from 'node:fs/promises';
import { AaiBridgeConfig } from '../config';
import { IdpMetadata, parseIdpMetadata } from './idp-metadata';
import { SamlStateRepository } from './saml-state.repository';

/**
 * The SAML SP as configured: node-saml set up strictly (signatures from the IdP's metadata
 * certificates only, audience, issuer, time with bounded skew, InResponseTo from PostgreSQL).
 * Loaded at start: a bad key, certificate or metadata stops the process naming it.
 */
@Injectable()
export class SamlSp implements OnModuleInit {
  private readonly logger = new Logger(SamlSp.name);
  saml!: SAML;
  idp!: IdpMetadata;
  spCert!: string;
  entityId!: string;
  acsUrl!: string;
  sloUrl!: string;

  constructor(
    private readonly config: ConfigService<AaiBridgeConfig, true>,
    private readonly state: SamlStateRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const publicUrl = this.config.get('AAI_PUBLIC_URL', { infer: true });
    this.entityId = this.config.get('AAI_SP_ENTITY_ID', { infer: true }) ?? `${publicUrl}/saml/metadata`;
    this.acsUrl = `${publicUrl}/saml/acs`;
    this.sloUrl = `${publicUrl}/saml/slo`;
    const key = await readPem('AAI_SP_KEY', this.config.get('AAI_SP_KEY', { infer: true }), 'PRIVATE KEY');
    this.spCert = await readPem('AAI_SP_CERT', this.config.get('AAI_SP_CERT', { infer: true }), 'CERTIFICATE');
    this.idp = parseIdpMetadata(await loadMetadata(this.config.get('AAI_IDP_METADATA', { infer: true })));
    this.saml = new SAML({
      entryPoint: this.idp.ssoUrl,
      logoutUrl: this.idp.sloUrl ?? this.idp.ssoUrl,
      logoutCallbackUrl: this.sloUrl,
      callbackUrl: this.acsUrl,
      issuer: this.entityId,
      audience: this.entityId,
      idpIssuer: this.idp.entityId,
      // Only the metadata's certificates: never one carried inside the message.
      idpCert: this.idp.signingCerts,
      privateKey: key,
      decryptionPvk: key,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
      wantAssertionsSigned: this.config.get('AAI_WANT_ASSERTIONS_SIGNED', { infer: true }),
      wantAuthnResponseSigned: this.config.get('AAI_WANT_RESPONSE_SIGNED', { infer: true }),
      acceptedClockSkewMs: this.config.get('AAI_CLOCK_SKEW_SECONDS', { infer: true }) * 1000,
      identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
      disableRequestedAuthnContext: true,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: 10 * 60_000,
      cacheProvider: this.state,
    });
    this.logger.log({ entityId: this.entityId, idp: this.idp.entityId, signingCerts: this.idp.signingCerts.length }, 'SAML SP ready');
  }

  metadata(): string {
    return this.saml.generateServiceProviderMetadata(this.spCert, this.spCert);
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

async function loadMetadata(source: string): Promise<string> {
  if (!/^https?:\/\//.test(source)) {
    try {
      return await readFile(source, 'utf8');
    } catch (err) {
      throw new Error(`AAI_IDP_METADATA=${source}: cannot read it (${(err as NodeJS.ErrnoException).code})`);
    }
  }
  // The IdP may start after us (or fail over): retry for a while before giving up.
  let last = '';
  for (let attempt = 0; attempt < 30; attempt++) {
    try {
      const res = await fetch(source, { signal: AbortSignal.timeout(5000) });
      if (res.ok) return await res.text();
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`AAI_IDP_METADATA=${source}: cannot fetch it (${last})`);
}
