import { readFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';

/** Reads metadata sources: a file, or an http(s) URL (a federation's aggregate, an IdP, an MDQ responder). */
@Injectable()
export class MetadataFetchClient {
  async fetch(source: string, o: { attempts: number; timeoutMs: number }): Promise<string> {
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
        if (res.ok) return await res.text();
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

  /** The PEM files of AAI_METADATA_SIGNERS. */
  async readPem(path: string): Promise<string> {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      throw new Error(`AAI_METADATA_SIGNERS: cannot read ${path} (${(err as NodeJS.ErrnoException).code})`);
    }
  }
}
