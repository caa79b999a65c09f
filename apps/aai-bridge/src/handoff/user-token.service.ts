import { Inject, Injectable } from '@nestjs/common';
import { ClockRepository, CryptoRepository } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { SecretBox } from './secret-box';
import { base32, totp } from './totp';
import { UserSecretRepository } from './user-secret.repository';
import { KeystoneClient, KeystoneError } from '../keystone/keystone.client';

// What credential_id holds for the password method (TOTP stores Keystone's credential id).
const PASSWORD_MARK = 'password';

/**
 * Keystone tokens for federated users without knowing a password of theirs. AAI_TOKEN_METHOD:
 * "totp" (default) — the bridge holds a TOTP credential per user and logs in with the current
 * code; "password" — the bridge sets a random password it keeps. Either secret is sealed with
 * AAI_SECRET_KEY.
 */
@Injectable()
export class UserTokenService {
  private readonly method: 'totp' | 'password';

  constructor(
    private readonly keystone: KeystoneClient,
    private readonly secrets: UserSecretRepository,
    private readonly box: SecretBox,
    private readonly crypto: CryptoRepository,
    private readonly clock: ClockRepository,
    @Inject(AaiBridgeConfig) config: AaiBridgeConfig,
  ) {
    this.method = config.AAI_TOKEN_METHOD;
  }

  async tokenFor(userId: string, projectId?: string): Promise<{ token: string; expiresAt: string }> {
    const login = (secret: string) =>
      this.keystone.userToken(userId, this.method, this.method === 'totp' ? totp(secret, this.clock.now().getTime()) : secret, projectId);
    try {
      return await login(await this.secretFor(userId));
    } catch (err) {
      // The credential was deleted in Keystone or the password changed there: enrol again, once.
      if (!(err instanceof KeystoneError) || err.status !== 401) throw err;
      await this.secrets.delete(userId);
      return login(await this.secretFor(userId));
    }
  }

  private async secretFor(userId: string): Promise<string> {
    const stored = await this.secrets.find(userId);
    const storedMethod = stored && (stored.credentialId === PASSWORD_MARK ? 'password' : 'totp');
    if (stored && storedMethod === this.method) return this.box.open(stored.sealedSecret);
    if (stored) await this.secrets.delete(userId); // the method changed since: enrol anew
    return this.method === 'totp' ? this.enrolTotp(userId) : this.enrolPassword(userId);
  }

  private async enrolTotp(userId: string): Promise<string> {
    // Base32, as Keystone's totp credential blob expects.
    const secret = base32(this.crypto.randomBytes(20));
    const credentialId = await this.keystone.createTotpCredential(userId, secret);
    if (await this.secrets.save(userId, this.box.seal(secret), credentialId)) return secret;
    // Another node enrolled the same user at the same moment: keep its secret, drop ours.
    await this.keystone.deleteCredential(credentialId);
    return this.box.open((await this.secrets.find(userId))!.sealedSecret);
  }

  private async enrolPassword(userId: string): Promise<string> {
    const password = this.crypto.randomToken();
    if (!(await this.secrets.save(userId, this.box.seal(password), PASSWORD_MARK)))
      return this.box.open((await this.secrets.find(userId))!.sealedSecret);
    await this.keystone.updateUser(userId, { password });
    // Keystone revokes the user's tokens on an admin password change, to the second: a token
    // issued in that same second would be born revoked.
    await this.clock.sleep(1100);
    return password;
  }
}
