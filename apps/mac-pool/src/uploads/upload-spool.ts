import { FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { StagingWriter } from './upload.repository';

/**
 * The COPY rows of one upload, written while the body arrives and read back once it is complete,
 * so no database connection or transaction waits on a client. The file is unlinked as soon as it
 * is opened: it vanishes with its descriptor, also when the process is killed.
 */
export interface UploadSpool {
  readonly writer: StagingWriter;
  /** The rows written, from the start; call once the writer has ended. */
  read(): Readable;
  /** Closes (and so frees) the file; safe to call on any path, twice included. */
  discard(): Promise<void>;
}

@Injectable()
export class UploadSpoolFiles {
  async create(): Promise<UploadSpool> {
    const dir = await mkdtemp(join(tmpdir(), 'macpool-upload-'));
    let handle: FileHandle;
    try {
      handle = await open(join(dir, 'rows'), 'w+', 0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return new FileSpool(handle);
  }
}

class FileSpool implements UploadSpool {
  readonly writer: StagingWriter;
  /** Streams of the handle: close() waits until each is destroyed. */
  private readonly streams: Array<Readable | Writable> = [];
  private closed: Promise<void> | null = null;

  constructor(private readonly handle: FileHandle) {
    const out = handle.createWriteStream({ autoClose: false, emitClose: false });
    // A write error surfaces on the next drain or end; an unhandled 'error' event must not crash the process.
    out.on('error', () => undefined);
    this.streams.push(out);
    this.writer = new StagingWriter(out);
  }

  read(): Readable {
    const rows = this.handle.createReadStream({ start: 0, autoClose: false, emitClose: false, highWaterMark: 256 * 1024 });
    this.streams.push(rows);
    return rows;
  }

  discard(): Promise<void> {
    if (!this.closed) {
      for (const stream of this.streams) stream.destroy();
      this.closed = this.handle.close().catch(() => undefined);
    }
    return this.closed;
  }
}
