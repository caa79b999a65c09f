import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AaiBridgeConfig } from '../config';
import { KeystoneClient, KeystoneError } from '../keystone/keystone.client';
import { SecretBox } from './secret-box';
import { newTotpSecret, totp } from './totp';
import { UserSecretRepository } from './user-secret.repository';

/**
 * Keystone tokens for federated users without knowing a password: the bridge holds a TOTP
 * credential per user (secret sealed with AAI_SECRET_KEY) and logs in with the current code.
 */
@Injectable()
export class UserTokenService {
  private readonly box: SecretBox;

  constructor(
    private readonly keystone: KeystoneClient,
    private readonly secrets: UserSecretRepository,
    config: ConfigService<AaiBridgeConfig, true>,
  ) {
    this.box = new SecretBox(config.get('AAI_SECRET_KEY', { infer: true }));
  }

  async tokenFor(userId: string, projectId?: string): Promise<{ token: string; expiresAt: string }> {
    const secret = await this.secretFor(userId);
    try {
      return await this.keystone.totpToken(userId, totp(secret), projectId);
    } catch (err) {
      // The credential was deleted in Keystone (or the user recreated): enrol again, once.
      if (!(err instanceof KeystoneError) || err.status !== 401) throw err;
      await this.secrets.delete(userId);
      return this.keystone.totpToken(userId, totp(await this.secretFor(userId)), projectId);
    }
  }

  private async secretFor(userId: string): Promise<string> {
    const stored = await this.secrets.find(userId);
    if (stored) return this.box.open(stored.sealedSecret);
    const secret = newTotpSecret();
    const credentialId = await this.keystone.createTotpCredential(userId, secret);
    if (await this.secrets.save(userId, this.box.seal(secret), credentialId)) return secret;
    // Another node enrolled the same user at the same moment: keep its secret, drop ours.
    await this.keystone.deleteCredential(credentialId);
    return this.box.open((await this.secrets.find(userId))!.sealedSecret);
  }
}
