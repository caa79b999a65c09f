import { readFile } from 'node:fs/promises';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { AaiBridgeConfig } from '../config';
import { IdpMetadata, parseIdpMetadata } from './idp-metadata';
import { IdpMetadataCacheRepository } from './idp-metadata-cache.repository';
import { SamlStateRepository } from './saml-state.repository';

/**
 * The SAML SP as configured: node-saml set up strictly (signatures from the IdP's metadata
 * certificates only, audience, issuer, time with bounded skew, InResponseTo from PostgreSQL).
 * Loaded at start (after the migrations: the metadata cache is a table): a bad key, certificate
 * or metadata stops the process naming it.
 */
@Injectable()
export class SamlSp implements OnApplicationBootstrap {
  private readonly logger = new Logger(SamlSp.name);
  saml!: SAML;
  idp!: IdpMetadata;
  spCert!: string;
  entityId!: string;
  acsUrl!: string;
  sloUrl!: string;

  constructor(
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
    private readonly state: SamlStateRepository,
    private readonly metadataCache: IdpMetadataCacheRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const publicUrl = this.config.AAI_PUBLIC_URL;
    this.entityId = this.config.AAI_SP_ENTITY_ID ?? `${publicUrl}/saml/metadata`;
    this.acsUrl = `${publicUrl}/saml/acs`;
    this.sloUrl = `${publicUrl}/saml/slo`;
    const key = await readPem('AAI_SP_KEY', this.config.AAI_SP_KEY, 'PRIVATE KEY');
    this.spCert = await readPem('AAI_SP_CERT', this.config.AAI_SP_CERT, 'CERTIFICATE');
    this.idp = await this.loadIdpMetadata(this.config.AAI_IDP_METADATA);
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
      wantAssertionsSigned: this.config.AAI_WANT_ASSERTIONS_SIGNED,
      wantAuthnResponseSigned: this.config.AAI_WANT_RESPONSE_SIGNED,
      acceptedClockSkewMs: this.config.AAI_CLOCK_SKEW_SECONDS * 1000,
      identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
      disableRequestedAuthnContext: true,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: 10 * 60_000,
      cacheProvider: this.state,
    });
    this.logger.log({ entityId: this.entityId, idp: this.idp.entityId, signingCerts: this.idp.signingCerts.length }, 'SAML SP ready');
  }

  /**
   * From a file, or from a URL; metadata fetched from a URL that parses is kept in PostgreSQL, and
   * when the URL does not answer a start uses that copy: a failover must not wait for the
   * federation's IdP (only the very first start does, retrying for a while).
   */
  private async loadIdpMetadata(source: string): Promise<IdpMetadata> {
    if (!/^https?:\/\//.test(source)) return parseIdpMetadata(await readMetadataFile(source));
    const cached = await this.metadataCache.latest(source);
    try {
      const xml = await fetchMetadata(source, cached ? { attempts: 1, timeoutMs: 3000 } : { attempts: 30, timeoutMs: 5000 });
      const idp = parseIdpMetadata(xml);
      await this.metadataCache.save(source, xml);
      return idp;
    } catch (err) {
      if (!cached) throw err;
      this.logger.warn(
        { source, fetchedAt: cached.fetchedAt, reason: (err as Error).message },
        'IdP metadata URL failed: using the copy kept in the database',
      );
      return parseIdpMetadata(cached.xml);
    }
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

async function readMetadataFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`AAI_IDP_METADATA=${path}: cannot read it (${(err as NodeJS.ErrnoException).code})`);
  }
}

/** GET with retries: the IdP may start after us. */
async function fetchMetadata(url: string, o: { attempts: number; timeoutMs: number }): Promise<string> {
  let last = '';
  for (let attempt = 1; attempt <= o.attempts; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(o.timeoutMs) });
      if (res.ok) return await res.text();
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (attempt < o.attempts) await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`AAI_IDP_METADATA=${url}: cannot fetch it (${last})`);
}
