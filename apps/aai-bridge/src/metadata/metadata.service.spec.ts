import { createHash } from 'node:crypto';
import { ClockRepository, MetricsRegistry, ReadinessChecks } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { CachedSource, MetadataCacheRepository } from './metadata-cache.repository';
import { MetadataFetchClient } from './metadata-fetch.client';
import { MetadataService } from './metadata.service';

const MD_NS =
  'xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui"';
const FEED = 'https://md.federation.test/aggregate.xml';
const T0 = new Date('2026-06-01T00:00:00Z');

const entity = (id: string, name: string) =>
  `<md:EntityDescriptor entityID="${id}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
  `<md:Extensions><mdui:UIInfo><mdui:DisplayName xml:lang="en">${name}</mdui:DisplayName></mdui:UIInfo></md:Extensions>` +
  `<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
  `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${id}/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
const aggregate = (entities: string[], o: { validUntil?: string; cacheDuration?: string } = {}) =>
  `<md:EntitiesDescriptor ${MD_NS}${o.validUntil ? ` validUntil="${o.validUntil}"` : ''}${o.cacheDuration ? ` cacheDuration="${o.cacheDuration}"` : ''}>` +
  `${entities.join('')}</md:EntitiesDescriptor>`;
const INFN = entity('https://idp.infn.test', 'INFN');
const MDQ = 'mdq+https://mdq.federation.test/';
const MDQ_INFN = `https://mdq.federation.test/entities/${encodeURIComponent('https://idp.infn.test')}`;
const standalone = (xml: string, attrs: string) => xml.replace('<md:EntityDescriptor', `<md:EntityDescriptor ${MD_NS} ${attrs}`);
const UNIMI = entity('https://idp.unimi.test', 'Ateneo di Milano');

/** The service with its database, fetcher and clock faked: one decision per test. */
function build(o: { sources?: string; allow?: string; feed?: string | Error; kept?: { xml: string; fetchedAt: Date } } = {}) {
  const now = { t: T0 };
  const clock = { now: () => now.t } as ClockRepository;
  const rows = new Map<string, CachedSource & { xml: string }>();
  if (o.kept)
    rows.set(FEED, {
      source: FEED,
      xml: o.kept.xml,
      digest: 'kept',
      fetchedAt: o.kept.fetchedAt,
      validUntil: null,
      signer: null,
      entityCount: 0,
      lastError: null,
      lastErrorAt: null,
    });
  const cache = {
    status: async (source: string) => rows.get(source),
    xml: async (source: string) => rows.get(source)?.xml,
    saveGood: jest.fn(async (source: string, xml: string, m: { digest: string }) => {
      rows.set(source, {
        ...(rows.get(source) ?? ({} as CachedSource)),
        source,
        xml,
        digest: m.digest,
        fetchedAt: now.t,
        lastError: null,
      } as never);
    }),
    markFresh: jest.fn(async () => undefined),
    recordError: jest.fn(async () => undefined),
  };
  const served = new Map<string, string | Error>([[FEED, o.feed ?? aggregate([INFN, UNIMI])]]);
  const fetcher = {
    // An HTTP server with ETags: the same body again is a 304 to a conditional GET.
    fetchIfChanged: jest.fn(async (source: string, validators?: { etag?: string }) => {
      const answer = served.get(source);
      if (answer === undefined) throw new Error(`cannot fetch ${source} (HTTP 404)`);
      if (answer instanceof Error) throw answer;
      const etag = `"${createHash('sha256').update(answer).digest('hex')}"`;
      if (validators?.etag === etag) return { notModified: true as const };
      return { xml: answer, validators: { etag } };
    }),
    // An MDQ responder: GET {base}entities/{entityID}.
    fetch: jest.fn(async (url: string) => {
      const answer = served.get(url);
      if (answer === undefined) throw new Error(`cannot fetch ${url} (HTTP 404)`);
      if (answer instanceof Error) throw answer;
      return answer;
    }),
    readPem: async () => '',
  };
  const config = {
    AAI_IDP_METADATA: o.sources ?? FEED,
    AAI_METADATA_SIGNERS: '',
    AAI_METADATA_REFRESH_SECONDS: 3600,
    AAI_IDP_ALLOW: o.allow ?? '*',
  } as AaiBridgeConfig;
  const readiness = new ReadinessChecks();
  const service = new MetadataService(
    cache as unknown as MetadataCacheRepository,
    fetcher as unknown as MetadataFetchClient,
    clock,
    config,
    new MetricsRegistry(),
    readiness,
  );
  const serve = (body: string | Error) => served.set(FEED, body);
  const serveAt = (source: string, body: string | Error) => served.set(source, body);
  const advance = (seconds: number) => (now.t = new Date(now.t.getTime() + seconds * 1000));
  const refreshDue = () => (service as unknown as { refreshDue(): Promise<void> }).refreshDue();
  return { service, cache, fetcher, rows, serve, serveAt, advance, refreshDue, readiness };
}

describe('MetadataService', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => stop?.());
  const started = async (b: ReturnType<typeof build>) => {
    await b.service.onApplicationBootstrap();
    stop = () => b.service.onModuleDestroy();
    return b;
  };

  it('lists the IdPs of its sources by display name, and keeps the good copy in the database', async () => {
    const b = await started(build());
    expect(b.service.idps().map((i) => i.displayName)).toEqual(['Ateneo di Milano', 'INFN']);
    expect(b.cache.saveGood).toHaveBeenCalledWith(FEED, expect.any(String), expect.objectContaining({ entityCount: 2 }));
  });

  it('offers only the IdPs of AAI_IDP_ALLOW', async () => {
    const b = await started(build({ allow: 'https://idp.infn.test' }));
    expect(b.service.idps().map((i) => i.entityId)).toEqual(['https://idp.infn.test']);
    expect(await b.service.idp('https://idp.unimi.test')).toBeUndefined();
    await expect(b.service.trustedIdp('https://idp.unimi.test')).rejects.toMatchObject({ kind: 'invalid', code: 'unknown_idp' });
  });

  it('keeps the last good copy when a refresh fails or is refused, reporting the error', async () => {
    const b = await started(build());
    b.serve(aggregate([INFN], { validUntil: '2026-05-01T00:00:00Z' }));
    const [status] = await b.service.refreshNow();
    expect([status.entityCount, status.lastError]).toEqual([2, expect.stringContaining('expired')]);
    expect(b.cache.recordError).toHaveBeenCalledWith(FEED, expect.stringContaining('expired'));
    expect(b.service.idps()).toHaveLength(2);
  });

  it('stops trusting the last good copy at its own validUntil', async () => {
    const b = await started(build({ feed: aggregate([INFN, UNIMI], { validUntil: '2026-06-02T00:00:00Z' }) }));
    b.serve(new Error('cannot fetch (HTTP 503)'));
    b.advance(12 * 3600);
    await b.service.refreshNow();
    expect(b.service.idps()).toHaveLength(2);
    const ready = () => Object.fromEntries(b.readiness.entries())['idp_metadata']();
    expect(ready()).toBeNull(); // readiness stays up while a last good copy is valid
    b.advance(13 * 3600);
    expect(b.service.idps()).toHaveLength(0);
    expect(await b.service.idp('https://idp.infn.test')).toBeUndefined();
    expect(ready()).toMatch(/no valid IdP metadata/); // then the node stops looking ready
  });

  it('starts from the copy in the database while the source does not answer', async () => {
    const b = await started(
      build({
        feed: new Error('cannot fetch (ECONNREFUSED)'),
        kept: { xml: aggregate([UNIMI]), fetchedAt: new Date('2026-05-31T00:00:00Z') },
      }),
    );
    expect(b.service.idps().map((i) => i.entityId)).toEqual(['https://idp.unimi.test']);
    expect(b.service.status()[0]).toMatchObject({
      fetchedAt: '2026-05-31T00:00:00.000Z',
      ageSeconds: 86400,
      lastError: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('takes up a newer copy the other node kept when its own fetch fails', async () => {
    const b = await started(build());
    b.serve(new Error('cannot fetch (timeout)'));
    b.rows.set(FEED, { ...b.rows.get(FEED)!, xml: aggregate([INFN]), digest: 'other-node', fetchedAt: T0 });
    await b.service.refreshNow();
    expect(b.service.idps().map((i) => i.entityId)).toEqual(['https://idp.infn.test']);
  });

  it('refuses to start with no usable IdP, naming each source and why', async () => {
    const b = build({ feed: new Error('cannot fetch (HTTP 500)') });
    await expect(b.service.onApplicationBootstrap()).rejects.toThrow(`AAI_IDP_METADATA: no usable IdP (${FEED}: cannot fetch (HTTP 500))`);
  });

  it('re-reads a source after its cacheDuration when shorter than AAI_METADATA_REFRESH_SECONDS', async () => {
    const b = await started(build({ feed: aggregate([INFN], { cacheDuration: 'PT10M' }) }));
    expect(b.fetcher.fetchIfChanged).toHaveBeenCalledTimes(1);
    b.advance(9 * 60);
    await b.refreshDue();
    expect(b.fetcher.fetchIfChanged).toHaveBeenCalledTimes(1);
    b.advance(60);
    await b.refreshDue();
    expect(b.fetcher.fetchIfChanged).toHaveBeenCalledTimes(2);
  });

  it('lists an IdP once when two sources carry it (the first source wins)', async () => {
    const b = build({ sources: `${FEED},/etc/aai/infn.xml` });
    b.serveAt(
      '/etc/aai/infn.xml',
      INFN.replace('<md:EntityDescriptor', `<md:EntityDescriptor ${MD_NS}`).replace('>INFN<', '>INFN (file)<'),
    );
    b.serve(aggregate([INFN]));
    await started(b);
    expect(b.service.idps().map((i) => i.displayName)).toEqual(['INFN']);
  });

  it('asks whether the copy in use changed: an unchanged source (304) is fresh again without being parsed or written', async () => {
    const b = await started(build());
    b.advance(3600);
    const [status] = await b.service.refreshNow();
    expect(b.fetcher.fetchIfChanged).toHaveBeenLastCalledWith(FEED, { etag: expect.any(String) }, expect.anything());
    expect([status.ageSeconds, status.entityCount, b.cache.saveGood.mock.calls.length, b.cache.markFresh.mock.calls.length]).toEqual([
      0, 2, 1, 1,
    ]);
  });

  it('does not revalidate when another node kept a different copy: it fetches the whole document', async () => {
    const b = await started(build());
    b.rows.set(FEED, { ...b.rows.get(FEED)!, digest: 'other-node' });
    await b.service.refreshNow();
    expect(b.fetcher.fetchIfChanged).toHaveBeenLastCalledWith(FEED, undefined, expect.anything());
  });

  it('asks the MDQ responder for an IdP on demand and keeps it for its cacheDuration', async () => {
    const b = await started(build({ sources: MDQ }));
    b.serveAt(MDQ_INFN, standalone(INFN, 'cacheDuration="PT1H" validUntil="2026-06-03T00:00:00Z"'));
    expect((await b.service.idp('https://idp.infn.test'))?.displayName).toBe('INFN');
    expect(await b.service.idp('https://idp.unknown.test')).toBeUndefined();
    await b.service.idp('https://idp.infn.test');
    expect(b.fetcher.fetch).toHaveBeenCalledTimes(2);
    b.advance(3600);
    await b.service.idp('https://idp.infn.test');
    expect(b.fetcher.fetch).toHaveBeenCalledTimes(3);
  });

  it('keeps an MDQ entity when the responder fails or its answer is refused, until its validUntil', async () => {
    const b = await started(build({ sources: MDQ }));
    b.serveAt(MDQ_INFN, standalone(INFN, 'cacheDuration="PT1H" validUntil="2026-06-02T00:00:00Z"'));
    await b.service.idp('https://idp.infn.test');
    b.advance(2 * 3600);
    b.serveAt(MDQ_INFN, new Error('cannot fetch (HTTP 503)'));
    expect((await b.service.idp('https://idp.infn.test'))?.entityId).toBe('https://idp.infn.test');
    b.serveAt(MDQ_INFN, standalone(INFN, 'validUntil="2026-05-01T00:00:00Z"'));
    expect((await b.service.idp('https://idp.infn.test'))?.entityId).toBe('https://idp.infn.test');
    expect(b.service.status()[0].lastError).toContain('expired');
    b.advance(24 * 3600);
    expect(await b.service.idp('https://idp.infn.test')).toBeUndefined();
  });
});
