import { readFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';

/** What an HTTP server said identifies the copy it sent. */
export interface HttpValidators {
  etag?: string;
  lastModified?: string;
}

const validatorsOf = (res: Response): HttpValidators => ({
  etag: res.headers.get('etag') ?? undefined,
  lastModified: res.headers.get('last-modified') ?? undefined,
});

/** Reads metadata sources: a file, or an http(s) URL (a federation's aggregate, an IdP, an MDQ responder). */
@Injectable()
export class MetadataFetchClient {
  async fetch(source: string, o: { attempts: number; timeoutMs: number }, seen?: (res: Response) => void): Promise<string> {
    if (!/^https?:\/\//.test(source)) {
      try {
        return await readFile(source, 'utf8');
      } catch (err) {
        throw new Error(`cannot read ${source} (${(err as NodeJS.ErrnoException).code})`);
      }
    }
    let last = '';
    for (let attempt = 1; attempt <= o.attempts; attempt++) {
      try {
        const res = await fetch(source, {
          signal: AbortSignal.timeout(o.timeoutMs),
          headers: { Accept: 'application/samlmetadata+xml, application/xml, text/xml' },
        });
        if (res.ok) {
          seen?.(res);
          return await res.text();
        }
        last = `HTTP ${res.status}`;
        // An MDQ responder's 404: the entity is unknown there, retrying will not change it.
        if (res.status === 404) break;
      } catch (err) {
        last = (err as Error).message;
      }
      // The IdP or the federation's server may start after us.
      if (attempt < o.attempts) await new Promise((r) => setTimeout(r, 1000));
    }
    throw new Error(`cannot fetch ${source} (${last})`);
  }

  /**
   * A URL asked again with the validators of the copy in use (If-None-Match, If-Modified-Since):
   * an unchanged eduGAIN aggregate is then a 304, not 80 MB. Files are always read.
   */
  async fetchIfChanged(
    source: string,
    validators: HttpValidators | undefined,
    o: { attempts: number; timeoutMs: number },
  ): Promise<{ xml: string; validators: HttpValidators } | { notModified: true }> {
    if (!/^https?:\/\//.test(source) || !validators) return this.fetchWithValidators(source, o);
    const headers: Record<string, string> = { Accept: 'application/samlmetadata+xml, application/xml, text/xml' };
    if (validators.etag) headers['If-None-Match'] = validators.etag;
    if (validators.lastModified) headers['If-Modified-Since'] = validators.lastModified;
    let res: Response;
    try {
      res = await fetch(source, { signal: AbortSignal.timeout(o.timeoutMs), headers });
    } catch (err) {
      throw new Error(`cannot fetch ${source} (${(err as Error).message})`);
    }
    if (res.status === 304) return { notModified: true };
    if (!res.ok) throw new Error(`cannot fetch ${source} (HTTP ${res.status})`);
    return { xml: await res.text(), validators: validatorsOf(res) };
  }

  private async fetchWithValidators(source: string, o: { attempts: number; timeoutMs: number }) {
    if (!/^https?:\/\//.test(source)) return { xml: await this.fetch(source, o), validators: {} };
    let validators: HttpValidators = {};
    const xml = await this.fetch(source, o, (res) => (validators = validatorsOf(res)));
    return { xml, validators };
  }

  /** The PEM files of AAI_METADATA_SIGNERS. */
  async readPem(path: string): Promise<string> {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      throw new Error(`AAI_METADATA_SIGNERS: cannot read ${path} (${(err as NodeJS.ErrnoException).code})`);
    }
  }
}
