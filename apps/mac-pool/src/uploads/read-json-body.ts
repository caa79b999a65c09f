import { HttpStatus } from '@nestjs/common';
import type { Request } from 'express';
import { ApiError } from '@app/platform';

/** Reads a JSON upload of at most `maxBytes` (JSON has no line structure to stream by). */
export async function readJsonBody(req: Request, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      const limit = `${Math.round(maxBytes / 1024 ** 2)} MiB`;
      throw new ApiError(
        HttpStatus.PAYLOAD_TOO_LARGE,
        'payload_too_large',
        `JSON uploads are limited to ${limit} (MACPOOL_JSON_UPLOAD_LIMIT); use text/plain or text/csv for large files (they stream)`,
      );
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw ApiError.badRequest('invalid_json', `body is not valid JSON: ${(err as Error).message}`);
  }
}
