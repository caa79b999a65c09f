import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { ClockRepository, DomainError, MetricsRegistry, PeriodicTask, ReadinessChecks } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { MetadataCacheRepository } from './metadata-cache.repository';
import { IdpEntity, MetadataDocument, MetadataRefused, MetadataSigner, readMetadata, signerName } from './metadata-document';
import { HttpValidators, MetadataFetchClient } from './metadata-fetch.client';

/** One configured source as this node holds it: the IdPs of its last good copy, and its last error. */
interface SourceState {
  source: string;
  kind: 'file' | 'url' | 'mdq';
  entities: Map<string, IdpEntity>;
  digest?: string;
  validUntil?: Date;
  cacheDurationSeconds?: number;
  signer?: string;
  /** When the copy in use was fetched (by this node or the other). */
  fetchedAt?: Date;
  skipped: number;
  lastError?: string;
  lastErrorAt?: Date;
  nextRefreshAt: number;
  /** The HTTP validators of the copy in use: the next refresh asks whether it changed. */
  validators?: HttpValidators;
}

/** An entity fetched from an MDQ responder: asked again after its cacheDuration, usable until its validUntil. */
interface MdqEntry {
  entity: IdpEntity;
  refreshAt: number;
  validUntil: number;
}

/** What GET /v1/metadata says of a source. */
export interface MetadataSourceStatus {
  source: string;
  kind: 'file' | 'url' | 'mdq';
  entityCount: number;
  skippedEntities: number;
  fetchedAt: string | null;
  ageSeconds: number | null;
  validUntil: string | null;
  cacheDurationSeconds: number | null;
  signer: string | null;
  /** sha256 of the copy in use: both nodes show the same when they use the same copy. */
  digest: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

const MDQ_TIMEOUT_MS = 5000;
// An MDQ entity without validUntil or cacheDuration is asked for again after this long.
const MDQ_DEFAULT_CACHE_SECONDS = 3600;

/**
 * The IdPs the bridge trusts, from every source of AAI_IDP_METADATA: read at start (the copy kept in
 * PostgreSQL when a source is down), re-read in the background and on demand, each copy verified
 * against AAI_METADATA_SIGNERS and dropped at its validUntil. Logins look IdPs up here, in memory.
 */
@Injectable()
export class MetadataService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MetadataService.name);
  private readonly task = new PeriodicTask('metadata refresh', () => this.refreshDue());
  private readonly sources: SourceState[];
  private readonly mdq = new Map<string, MdqEntry>();
  private readonly allow: Set<string> | '*';
  private signers: MetadataSigner[] = [];
  private readonly failures: Counter<'source' | 'reason'>;

  constructor(
    private readonly cache: MetadataCacheRepository,
    private readonly fetcher: MetadataFetchClient,
    private readonly clock: ClockRepository,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
    metrics: MetricsRegistry,
    private readonly readiness: ReadinessChecks,
  ) {
    this.sources = list(config.AAI_IDP_METADATA).map((source) => ({
      source,
      kind: source.startsWith('mdq+') ? 'mdq' : /^https?:\/\//.test(source) ? 'url' : 'file',
      entities: new Map(),
      skipped: 0,
      nextRefreshAt: 0,
    }));
    const allow = list(config.AAI_IDP_ALLOW);
    this.allow = allow.includes('*') || !allow.length ? '*' : new Set(allow);
    this.failures = metrics.counter('aai_metadata_refresh_failures_total', 'metadata refreshes failed or refused, by source and reason', [
      'source',
      'reason',
    ] as const);
    const now = () => this.clock.now().getTime();
    const sources = () => this.sources.filter((s) => s.kind !== 'mdq');
    new Gauge({
      name: 'aai_metadata_seconds_since_refresh',
      help: 'seconds since the copy in use of each metadata source was fetched',
      labelNames: ['source'] as const,
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const s of sources()) if (s.fetchedAt) this.set({ source: s.source }, (now() - s.fetchedAt.getTime()) / 1000);
      },
    });
    new Gauge({
      name: 'aai_metadata_seconds_to_valid_until',
      help: 'seconds until the copy in use of each metadata source expires (validUntil)',
      labelNames: ['source'] as const,
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const s of sources()) if (s.validUntil) this.set({ source: s.source }, (s.validUntil.getTime() - now()) / 1000);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.readiness.register('idp_metadata', () => this.trustProblem());
    this.signers = await Promise.all(
      list(this.config.AAI_METADATA_SIGNERS).map(async (file) => {
        const pem = await this.fetcher.readPem(file);
        return { name: signerName(file, pem), pem };
      }),
    );
    await Promise.all(this.sources.filter((s) => s.kind !== 'mdq').map((s) => this.load(s, true)));
    if (!this.sources.some((s) => s.kind === 'mdq') && !this.idps().length) {
      const why = this.sources.map((s) => `${s.source}: ${s.lastError ?? 'no IdP in it'}`).join('; ');
      throw new Error(`AAI_IDP_METADATA: no usable IdP (${why})`);
    }
    // Ticks often enough for the shortest cacheDuration; each source is re-read only when due.
    this.task.start(Math.min(this.config.AAI_METADATA_REFRESH_SECONDS, 30) * 1000);
  }

  /** For readiness: whether logins can still be verified (a valid copy of some IdP, or an MDQ responder). */
  trustProblem(): string | null {
    if (this.sources.some((s) => s.kind === 'mdq') || this.idps().length) return null;
    return 'no valid IdP metadata: every copy has expired or been refused';
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  /** POST /v1/metadata/refresh: every source re-read now (MDQ entities asked for again at the next login). */
  async refreshNow(): Promise<MetadataSourceStatus[]> {
    this.mdq.clear();
    await Promise.all(this.sources.filter((s) => s.kind !== 'mdq').map((s) => this.load(s, false)));
    return this.status();
  }

  status(): MetadataSourceStatus[] {
    const now = this.clock.now().getTime();
    return this.sources.map((s) => ({
      source: s.source,
      kind: s.kind,
      entityCount: s.kind === 'mdq' ? [...this.mdq.keys()].filter((k) => k.startsWith(`${s.source} `)).length : s.entities.size,
      skippedEntities: s.skipped,
      fetchedAt: s.fetchedAt?.toISOString() ?? null,
      ageSeconds: s.fetchedAt ? Math.round((now - s.fetchedAt.getTime()) / 1000) : null,
      validUntil: s.validUntil?.toISOString() ?? null,
      cacheDurationSeconds: s.cacheDurationSeconds ?? null,
      signer: s.signer ?? null,
      digest: s.digest ?? null,
      lastError: s.lastError ?? null,
      lastErrorAt: s.lastErrorAt?.toISOString() ?? null,
    }));
  }

  /** The IdPs users may choose (allowed, from valid copies), by display name; MDQ ones only once seen. */
  idps(): IdpEntity[] {
    const seen = new Map<string, IdpEntity>();
    const now = this.clock.now().getTime();
    for (const s of this.sources) {
      if (s.kind === 'mdq' || (s.validUntil && s.validUntil.getTime() <= now)) continue;
      for (const idp of s.entities.values()) if (!seen.has(idp.entityId) && this.allowed(idp.entityId)) seen.set(idp.entityId, idp);
    }
    return [...seen.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  /** The IdP with this entityID, if allowed and in a valid source (asked of the MDQ responders last). */
  async idp(entityId: string): Promise<IdpEntity | undefined> {
    if (!this.allowed(entityId)) return undefined;
    const now = this.clock.now().getTime();
    for (const s of this.sources) {
      if (s.kind === 'mdq') {
        const found = await this.fromMdq(s, entityId);
        if (found) return found;
      } else if (!s.validUntil || s.validUntil.getTime() > now) {
        const found = s.entities.get(entityId);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Like idp(), but a login at an IdP the bridge does not trust is refused naming it. */
  async trustedIdp(entityId: string): Promise<IdpEntity> {
    const idp = await this.idp(entityId);
    if (!idp) throw DomainError.invalid('unknown_idp', `${entityId} is not an IdP this service trusts`);
    return idp;
  }

  private allowed(entityId: string): boolean {
    return this.allow === '*' || this.allow.has(entityId);
  }

  private async refreshDue(): Promise<void> {
    const now = this.clock.now().getTime();
    await Promise.all(this.sources.filter((s) => s.kind !== 'mdq' && s.nextRefreshAt <= now).map((s) => this.load(s, false)));
  }

  /**
   * Fetches and verifies a source; a good copy replaces the one in use and is kept in PostgreSQL.
   * On failure or refusal the copy in use stays (until its validUntil), or a newer one another node
   * kept is taken up. The very first start of a URL source waits for it a while (no copy yet).
   */
  private async load(s: SourceState, starting: boolean): Promise<void> {
    const cached = await this.cache.status(s.source);
    const firstEver = starting && !cached && s.kind === 'url';
    try {
      // Only the copy in use may be revalidated: another node may have kept a newer one meanwhile.
      const inUse = s.digest !== undefined && cached?.digest === s.digest ? s.validators : undefined;
      const fetched = await this.fetcher.fetchIfChanged(
        s.source,
        inUse,
        firstEver ? { attempts: 30, timeoutMs: 5000 } : { attempts: 1, timeoutMs: 30_000 },
      );
      if ('notModified' in fetched) {
        await this.cache.markFresh(s.source);
        s.fetchedAt = this.clock.now();
        s.lastError = s.lastErrorAt = undefined;
      } else {
        await this.adoptFetched(s, fetched.xml, cached?.digest ?? undefined);
        s.validators = fetched.validators;
      }
    } catch (err) {
      const message = (err as Error).message;
      const reason = err instanceof MetadataRefused ? err.reason : 'fetch';
      this.failures.inc({ source: s.source, reason });
      s.lastError = message;
      s.lastErrorAt = this.clock.now();
      await this.cache.recordError(s.source, message);
      this.logger.warn({ source: s.source, reason, message }, 'metadata refresh failed: the copy in use stays');
      if (cached && cached.digest !== s.digest) await this.adoptKeptCopy(s, cached.fetchedAt);
    }
    const now = this.clock.now().getTime();
    if (s.validUntil && s.validUntil.getTime() <= now && s.entities.size) {
      this.logger.error({ source: s.source, validUntil: s.validUntil }, 'metadata expired: its IdPs are no longer trusted');
      s.entities = new Map();
    }
    const every = Math.max(1, Math.min(this.config.AAI_METADATA_REFRESH_SECONDS, s.cacheDurationSeconds ?? Infinity));
    s.nextRefreshAt = now + every * 1000;
  }

  /** A fetched copy: verified, kept in PostgreSQL (written once per content), then in use. */
  private async adoptFetched(s: SourceState, xml: string, keptDigest: string | undefined): Promise<void> {
    const doc = readMetadata(xml, { signers: this.signers, now: this.clock.now() });
    if (keptDigest === doc.digest) await this.cache.markFresh(s.source);
    else
      await this.cache.saveGood(s.source, xml, {
        digest: doc.digest,
        validUntil: doc.validUntil,
        signer: doc.signer,
        entityCount: doc.entities.length,
      });
    if (s.digest !== doc.digest)
      this.logger.log({ source: s.source, idps: doc.entities.length, signer: doc.signer, validUntil: doc.validUntil }, 'metadata loaded');
    this.adopt(s, doc, this.clock.now());
    s.lastError = s.lastErrorAt = undefined;
  }

  /** The copy in PostgreSQL (kept by this node before a restart, or by the other node), verified again. */
  private async adoptKeptCopy(s: SourceState, fetchedAt: Date): Promise<void> {
    try {
      const xml = await this.cache.xml(s.source);
      if (!xml) return;
      const doc = readMetadata(xml, { signers: this.signers, now: this.clock.now() });
      this.adopt(s, doc, fetchedAt);
      this.logger.warn({ source: s.source, fetchedAt }, 'IdP metadata URL failed: using the copy kept in the database');
    } catch (err) {
      this.logger.warn({ source: s.source, reason: (err as Error).message }, 'the copy kept in the database is not usable either');
    }
  }

  private adopt(s: SourceState, doc: MetadataDocument, fetchedAt: Date): void {
    s.entities = new Map(doc.entities.map((e) => [e.entityId, e]));
    s.digest = doc.digest;
    s.validUntil = doc.validUntil;
    s.cacheDurationSeconds = doc.cacheDurationSeconds;
    s.signer = doc.signer;
    s.skipped = doc.skipped;
    s.fetchedAt = fetchedAt;
  }

  /**
   * GET {base}entities/{entityID}: verified like any source, kept in memory and PostgreSQL. When the
   * responder fails or its answer is refused, the last good copy serves until its own validUntil.
   */
  private async fromMdq(s: SourceState, entityId: string): Promise<IdpEntity | undefined> {
    const key = `${s.source} ${entityId}`;
    const now = this.clock.now().getTime();
    const hit = this.mdq.get(key);
    if (hit && hit.refreshAt > now) return hit.entity;
    const lastGood = hit && hit.validUntil > now ? hit.entity : undefined;
    const url = `${s.source.slice('mdq+'.length).replace(/\/?$/, '/')}entities/${encodeURIComponent(entityId)}`;
    let xml: string | undefined;
    try {
      xml = await this.fetcher.fetch(url, { attempts: 1, timeoutMs: MDQ_TIMEOUT_MS });
    } catch (err) {
      this.failures.inc({ source: s.source, reason: 'fetch' });
      this.logger.warn({ source: s.source, entityId, message: (err as Error).message }, 'MDQ lookup failed');
      if (lastGood) return lastGood;
      // A start while the responder is down: the copy kept in PostgreSQL (verified again below).
      xml = await this.cache.xml(url);
      if (!xml) return undefined;
    }
    try {
      const doc = readMetadata(xml, { signers: this.signers, now: this.clock.now() });
      const entity = doc.entities.find((e) => e.entityId === entityId);
      if (!entity) throw new MetadataRefused('invalid', `the MDQ answer for ${entityId} describes another entity`);
      await this.cache.saveGood(url, xml, { digest: doc.digest, validUntil: doc.validUntil, signer: doc.signer, entityCount: 1 });
      const cacheFor = Math.min(doc.cacheDurationSeconds ?? MDQ_DEFAULT_CACHE_SECONDS, this.config.AAI_METADATA_REFRESH_SECONDS);
      const validUntil = doc.validUntil?.getTime() ?? Infinity;
      this.mdq.set(key, { entity, refreshAt: Math.min(now + cacheFor * 1000, validUntil), validUntil });
      s.fetchedAt = this.clock.now();
      s.signer = doc.signer;
      return entity;
    } catch (err) {
      const reason = err instanceof MetadataRefused ? err.reason : 'invalid';
      this.failures.inc({ source: s.source, reason });
      s.lastError = `${entityId}: ${(err as Error).message}`;
      s.lastErrorAt = this.clock.now();
      this.logger.warn({ source: s.source, entityId, reason, message: (err as Error).message }, 'MDQ answer refused');
      return lastGood;
    }
  }
}

const list = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
