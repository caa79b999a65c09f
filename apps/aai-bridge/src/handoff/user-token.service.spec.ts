import { ClockRepository, CryptoRepository } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { SecretBox } from './secret-box';
import { base32, totp } from './totp';
import { UserSecretRepository } from './user-secret.repository';
import { UserTokenService } from './user-token.service';
import { KeystoneClient, KeystoneError } from '../keystone/keystone.client';

const NOW = new Date('2026-01-01T12:00:00Z');
const FIRST_SECRET = base32(Buffer.alloc(20, 1));
const SECOND_SECRET = base32(Buffer.alloc(20, 2));

type Stored = { sealedSecret: string; credentialId: string };

/** The user_secrets table, in memory. */
function fakeSecrets(initial: Record<string, Stored> = {}) {
  const rows = { ...initial };
  return {
    rows,
    find: jest.fn(async (id: string) => rows[id] ?? null),
    save: jest.fn(async (id: string, sealedSecret: string, credentialId: string) => {
      if (rows[id]) return false;
      rows[id] = { sealedSecret, credentialId };
      return true;
    }),
    delete: jest.fn(async (id: string) => void delete rows[id]),
  };
}

/** Keystone accepting the TOTP code of `validSecret` (or any password) and nothing else. */
function fakeKeystone(validSecret: () => string | undefined) {
  let credentials = 0;
  return {
    createTotpCredential: jest.fn(async (_userId: string, _secret: string) => `cred-${++credentials}`),
    deleteCredential: jest.fn(async () => undefined),
    updateUser: jest.fn(async () => undefined),
    userToken: jest.fn(async (userId: string, method: string, secret: string) => {
      const valid = validSecret();
      if (method === 'totp' && (!valid || secret !== totp(valid, NOW.getTime())))
        throw new KeystoneError(`Keystone refused a totp login for user ${userId}: HTTP 401`, 401);
      return { token: `token-of-${userId}`, expiresAt: '2026-01-01T13:00:00Z' };
    }),
  };
}

function build(
  o: { method?: 'totp' | 'password'; stored?: Record<string, Stored>; validSecret?: () => string | undefined; randoms?: Buffer[] } = {},
) {
  const secrets = fakeSecrets(o.stored);
  const randoms = o.randoms ?? [Buffer.alloc(20, 1), Buffer.alloc(20, 2)];
  const crypto = { randomBytes: jest.fn(() => randoms.shift()!), randomToken: jest.fn(() => 'random-password') };
  const clock = { now: () => NOW, sleep: jest.fn(async () => undefined) };
  // Sealing is SecretBox's job (tested on its own): here a readable stand-in.
  const box = { seal: (s: string) => `sealed:${s}`, open: (s: string) => s.replace(/^sealed:/, '') };
  const keystone = fakeKeystone(o.validSecret ?? (() => secrets.rows.u1 && box.open(secrets.rows.u1.sealedSecret)));
  const service = new UserTokenService(
    keystone as unknown as KeystoneClient,
    secrets as unknown as UserSecretRepository,
    box as unknown as SecretBox,
    crypto as unknown as CryptoRepository,
    clock as unknown as ClockRepository,
    { AAI_TOKEN_METHOD: o.method ?? 'totp' } as AaiBridgeConfig,
  );
  return { service, secrets, keystone, clock };
}

describe('UserTokenService', () => {
  it('enrols a TOTP credential on first use and logs in with the current code', async () => {
    const { service, secrets, keystone } = build();
    expect(await service.tokenFor('u1')).toEqual({ token: 'token-of-u1', expiresAt: '2026-01-01T13:00:00Z' });
    expect(keystone.createTotpCredential).toHaveBeenCalledWith('u1', FIRST_SECRET);
    expect(secrets.rows.u1).toEqual({ sealedSecret: `sealed:${FIRST_SECRET}`, credentialId: 'cred-1' });
    expect(keystone.userToken).toHaveBeenCalledWith('u1', 'totp', totp(FIRST_SECRET, NOW.getTime()), undefined);
  });

  it('uses the stored secret without enrolling again', async () => {
    const { service, keystone } = build({ stored: { u1: { sealedSecret: `sealed:${FIRST_SECRET}`, credentialId: 'cred-0' } } });
    await service.tokenFor('u1', 'p-cms');
    expect(keystone.createTotpCredential).not.toHaveBeenCalled();
    expect(keystone.userToken).toHaveBeenCalledWith('u1', 'totp', totp(FIRST_SECRET, NOW.getTime()), 'p-cms');
  });

  it('re-enrols once when Keystone refuses the stored secret (its credential was deleted there)', async () => {
    let valid: string | undefined;
    const { service, secrets, keystone } = build({
      stored: { u1: { sealedSecret: `sealed:${FIRST_SECRET}`, credentialId: 'cred-0' } },
      validSecret: () => valid,
      randoms: [Buffer.alloc(20, 2)],
    });
    // Keystone knows only the credential enrolled now.
    keystone.createTotpCredential.mockImplementation(async (_userId: string, secret: string) => {
      valid = secret;
      return 'cred-new';
    });
    expect((await service.tokenFor('u1')).token).toBe('token-of-u1');
    expect(secrets.delete).toHaveBeenCalledWith('u1');
    expect(secrets.rows.u1).toEqual({ sealedSecret: `sealed:${SECOND_SECRET}`, credentialId: 'cred-new' });
    expect(keystone.userToken).toHaveBeenCalledTimes(2);
  });

  it('gives up (upstream) when Keystone refuses the fresh secret too, without looping', async () => {
    const { service, keystone } = build({ validSecret: () => undefined });
    await expect(service.tokenFor('u1')).rejects.toMatchObject({ kind: 'upstream', code: 'keystone_error' });
    expect(keystone.userToken).toHaveBeenCalledTimes(2);
    expect(keystone.createTotpCredential).toHaveBeenCalledTimes(2);
  });

  it('does not re-enrol when Keystone fails otherwise (not a 401)', async () => {
    const { service, keystone, secrets } = build({ stored: { u1: { sealedSecret: `sealed:${FIRST_SECRET}`, credentialId: 'cred-0' } } });
    keystone.userToken.mockRejectedValue(new KeystoneError('Keystone at http://ks unreachable', 0));
    await expect(service.tokenFor('u1')).rejects.toMatchObject({ kind: 'upstream' });
    expect(secrets.delete).not.toHaveBeenCalled();
    expect(keystone.createTotpCredential).not.toHaveBeenCalled();
  });

  it("keeps the other node's secret when both enrolled the same user at once, deleting its own credential", async () => {
    const { service, secrets, keystone } = build({ validSecret: () => SECOND_SECRET });
    keystone.createTotpCredential.mockImplementation(async () => {
      secrets.rows.u1 = { sealedSecret: `sealed:${SECOND_SECRET}`, credentialId: 'cred-other-node' };
      return 'cred-mine';
    });
    await service.tokenFor('u1');
    expect(keystone.deleteCredential).toHaveBeenCalledWith('cred-mine');
    expect(keystone.userToken).toHaveBeenCalledWith('u1', 'totp', totp(SECOND_SECRET, NOW.getTime()), undefined);
  });

  it('enrols anew when the method changed since the secret was stored', async () => {
    const { service, secrets, keystone } = build({ stored: { u1: { sealedSecret: 'sealed:old-password', credentialId: 'password' } } });
    await service.tokenFor('u1');
    expect(secrets.delete).toHaveBeenCalledWith('u1');
    expect(keystone.createTotpCredential).toHaveBeenCalled();
  });

  it('with the password method sets a random password, then waits past the second Keystone revokes tokens to', async () => {
    const { service, keystone, clock, secrets } = build({ method: 'password' });
    await service.tokenFor('u1');
    expect(keystone.updateUser).toHaveBeenCalledWith('u1', { password: 'random-password' });
    expect(secrets.rows.u1).toEqual({ sealedSecret: 'sealed:random-password', credentialId: 'password' });
    expect(clock.sleep).toHaveBeenCalledWith(1100);
    expect(keystone.userToken).toHaveBeenCalledWith('u1', 'password', 'random-password', undefined);
  });
});
