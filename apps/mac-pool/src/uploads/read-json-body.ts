import { HttpStatus } from '@nestjs/common';
import { ApiError } from '@app/platform';
import type { Request } from 'express';

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export function parseSize(text: string): number {
  const m = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text}`);
  return Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()];
}

/** Reads a JSON upload up to the limit (JSON has no line structure to stream by). */
export async function readJsonBody(req: Request, limit: string): Promise<unknown> {
  const max = parseSize(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, 'payload_too_large', `JSON uploads are limited to ${limit}; use text/plain or text/csv for large files (they stream)`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw ApiError.badRequest('invalid_json', `body is not valid JSON: ${(err as Error).message}`);
  }
}
