import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';

/** A new secret token: 32 random bytes, base64url (fits a header, a cookie or a URL as is). */
export const randomToken = (): string => randomBytes(32).toString('base64url');

/** SHA-256 as hex: how a token is stored, so that a database dump yields no usable token. */
export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Randomness and hashing where a decision depends on them (tokens, secrets, keys): injected, so a
 * unit test can fix what they return. The one implementation of token generation and hashing.
 */
@Injectable()
export class CryptoRepository {
  randomToken(): string {
    return randomToken();
  }

  hashToken(token: string): string {
    return sha256Hex(token);
  }

  /** SHA-256 digest (32 bytes), e.g. to derive a key from a configured secret. */
  sha256(text: string): Buffer {
    return createHash('sha256').update(text).digest();
  }

  randomBytes(size: number): Buffer {
    return randomBytes(size);
  }
}
