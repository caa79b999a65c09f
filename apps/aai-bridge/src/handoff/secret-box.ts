import { createCipheriv, createDecipheriv } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CryptoRepository } from '@app/platform';
import { AaiBridgeConfig } from '../config';

/**
 * Secrets at rest (the bridge's per-user TOTP secrets): AES-256-GCM with a key derived from
 * AAI_SECRET_KEY. Stored as iv.tag.ciphertext (base64url); tampering fails the tag check.
 */
@Injectable()
export class SecretBox {
  private readonly key: Buffer;

  constructor(
    @Inject(AaiBridgeConfig) config: Pick<AaiBridgeConfig, 'AAI_SECRET_KEY'>,
    private readonly crypto: CryptoRepository,
  ) {
    this.key = crypto.sha256(`aai-bridge secrets v1\0${config.AAI_SECRET_KEY}`);
  }

  seal(plain: string): string {
    const iv = this.crypto.randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.');
  }

  open(sealed: string): string {
    const [iv, tag, data] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  }
}
