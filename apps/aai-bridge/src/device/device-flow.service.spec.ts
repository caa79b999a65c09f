import { AuditRepository, ClockRepository, CryptoRepository, MetricsRegistry } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { DeviceAuthorization, DeviceAuthorizationRepository } from './device-authorization.repository';
import { DeviceFlowService, MAX_WRONG_CODES } from './device-flow.service';
import { HandoffService } from '../handoff/handoff.service';
import { ActiveSession } from '../session/session.service';

/** The authorizations table in memory, behaving as the repository's SQL does. */
function fakeAuthorizations() {
  const rows = new Map<string, DeviceAuthorization>();
  const failures: Array<{ user: string; at: Date }> = [];
  const byUser = (hash: string) => [...rows.values()].find((r) => r.userCodeHash === hash) ?? null;
  return {
    rows,
    create: jest.fn(
      async (a: Omit<DeviceAuthorization, 'status' | 'lastPollAt' | 'keystoneUserId' | 'userName' | 'projectId' | 'projectName'>) => {
        if (byUser(a.userCodeHash)) return false;
        rows.set(a.deviceCodeHash, {
          ...a,
          status: 'pending',
          lastPollAt: null,
          keystoneUserId: null,
          userName: null,
          projectId: null,
          projectName: null,
        });
        return true;
      },
    ),
    byDeviceCode: async (hash: string) => (rows.has(hash) ? { ...rows.get(hash)! } : null),
    byUserCode: async (hash: string) => byUser(hash),
    polled: async (hash: string, at: Date, intervalSeconds: number) => Object.assign(rows.get(hash)!, { lastPollAt: at, intervalSeconds }),
    decide: async (hash: string, now: Date, d: Partial<DeviceAuthorization>) => {
      const r = byUser(hash);
      if (!r || r.status !== 'pending' || r.expiresAt <= now) return false;
      Object.assign(r, d);
      return true;
    },
    claim: async (hash: string) => rows.get(hash)?.status === 'approved' && !!Object.assign(rows.get(hash)!, { status: 'issuing' }),
    issued: async (hash: string, ok: boolean) => Object.assign(rows.get(hash)!, { status: ok ? 'consumed' : 'approved' }),
    failuresSince: async (user: string, since: Date) => failures.filter((f) => f.user === user && f.at > since).length,
    failed: async (user: string, at: Date) => void failures.push({ user, at }),
  };
}

const SESSION = {
  token: 'session-token',
  identity: {
    keystoneUserId: 'u1',
    userName: 'alice',
    domainId: 'default',
    projects: [{ id: 'p-cms', name: 'cms', roles: ['member'] }],
    groups: [],
    attributes: {},
  },
} as unknown as ActiveSession;

function build() {
  let now = new Date('2026-01-01T00:00:00Z');
  let draws = 0;
  const clock = { now: () => now, sleep: async () => undefined };
  const crypto = new CryptoRepository();
  // Fixed draws: the codes of a test are known (the first user code is all Bs).
  jest.spyOn(crypto, 'randomBytes').mockImplementation((n: number) => Buffer.alloc(n, draws++));
  jest.spyOn(crypto, 'randomToken').mockImplementation(() => `device-code-${draws}`);
  const authorizations = fakeAuthorizations();
  const handoff = {
    issueCredential: jest.fn(async () => ({
      credentialName: 'aai-login-cms-x',
      credential: { id: 'ac1', secret: 's3cret' },
      expiresAt: new Date('2026-01-31T00:00:00Z'),
      authUrl: 'https://keystone.test/v3',
    })),
  };
  const audit = { record: jest.fn(async () => undefined) };
  const service = new DeviceFlowService(
    authorizations as unknown as DeviceAuthorizationRepository,
    handoff as unknown as HandoffService,
    audit as unknown as AuditRepository,
    clock as ClockRepository,
    crypto,
    { AAI_PUBLIC_URL: 'https://aai.test', AAI_APP_CREDENTIAL_DAYS: 30 } as AaiBridgeConfig,
    new MetricsRegistry(),
  );
  return { service, authorizations, handoff, audit, advance: (seconds: number) => (now = new Date(now.getTime() + seconds * 1000)) };
}

/** The approval a browser would post (its csrf read from the confirmation page). */
async function approve(service: DeviceFlowService, userCode: string, project = 'p-cms') {
  const page = await service.verificationPage(SESSION, userCode);
  const csrf = /name="csrf" value="([^"]+)"/.exec('html' in page ? page.html : '')![1];
  return service.decide(SESSION, { user_code: userCode, project, decision: 'approve', csrf });
}

describe('DeviceFlowService', () => {
  it('answers RFC 8628 codes: a short consonant user code, 10 minutes, 5 s interval; only hashes are stored', async () => {
    const { service, authorizations } = build();
    const code = await service.start({ project: 'cms' });
    expect(code).toMatchObject({ user_code: 'BBBB-BBBB', expires_in: 600, interval: 5, verification_uri: 'https://aai.test/device' });
    expect(code.verification_uri_complete).toBe('https://aai.test/device?user_code=BBBB-BBBB');
    const [row] = [...authorizations.rows.values()];
    expect(JSON.stringify(row)).not.toContain(code.device_code);
    expect(JSON.stringify(row)).not.toContain('BBBBBBBB');
    expect(row.expiresAt).toEqual(new Date('2026-01-01T00:10:00Z'));
  });

  it('says authorization_pending until approved, slow_down (and 5 s more) to a poll faster than the interval', async () => {
    const { service, advance } = build();
    const code = await service.start({});
    expect(await service.token(code.device_code)).toMatchObject({ ok: false, error: 'authorization_pending' });
    advance(2);
    expect(await service.token(code.device_code)).toMatchObject({ ok: false, error: 'slow_down', description: 'poll every 10 s' });
    advance(6);
    expect(await service.token(code.device_code)).toMatchObject({ ok: false, error: 'slow_down', description: 'poll every 15 s' });
    advance(15);
    expect(await service.token(code.device_code)).toMatchObject({ ok: false, error: 'authorization_pending' });
  });

  it('gives the credential once after approval, for the project chosen; the code is then spent', async () => {
    const { service, handoff } = build();
    const code = await service.start({ cloud: 'infn' });
    expect('html' in (await approve(service, 'bbbb bbbb'))).toBe(true);
    const answer = await service.token(code.device_code);
    expect(answer).toEqual({
      ok: true,
      credential: expect.objectContaining({
        application_credential_id: 'ac1',
        project_name: 'cms',
        cloud: 'infn',
        auth_url: 'https://keystone.test/v3',
      }),
    });
    expect(handoff.issueCredential).toHaveBeenCalledWith('u1', { id: 'p-cms', name: 'cms' }, 30, 'aai-login');
    expect(await service.token(code.device_code)).toMatchObject({ ok: false, error: 'invalid_grant' });
  });

  it('says expired_token after 10 minutes, and the code can no longer be approved', async () => {
    const { service, advance } = build();
    const code = await service.start({});
    advance(601);
    expect(await service.token(code.device_code)).toMatchObject({ ok: false, error: 'expired_token' });
    expect(await service.verificationPage(SESSION, code.user_code)).toMatchObject({ status: 400 });
  });

  it('says access_denied when the user refuses', async () => {
    const { service } = build();
    const code = await service.start({});
    const page = await service.verificationPage(SESSION, code.user_code);
    const csrf = /name="csrf" value="([^"]+)"/.exec('html' in page ? page.html : '')![1];
    await service.decide(SESSION, { user_code: code.user_code, decision: 'deny', csrf });
    expect(await service.token(code.device_code)).toMatchObject({ ok: false, error: 'access_denied' });
  });

  it(`refuses a user after ${MAX_WRONG_CODES} wrong codes in ten minutes, even the right one (429)`, async () => {
    const { service, advance } = build();
    const code = await service.start({});
    for (let i = 0; i < MAX_WRONG_CODES; i++)
      expect(await service.verificationPage(SESSION, `WRNG-COD${'BCDFG'[i]}`)).toMatchObject({ status: 400 });
    expect(await service.verificationPage(SESSION, code.user_code)).toMatchObject({ status: 429 });
    advance(601);
    const later = await service.start({});
    expect((await service.verificationPage(SESSION, later.user_code)) as object).not.toHaveProperty('status');
  });

  it('refuses an approval not posted from the page shown to this session (csrf)', async () => {
    const { service } = build();
    const code = await service.start({});
    expect(
      await service.decide(SESSION, { user_code: code.user_code, project: 'p-cms', decision: 'approve', csrf: 'forged' }),
    ).toMatchObject({
      status: 403,
    });
  });

  it('sends a browser without a session to log in, back to the code', async () => {
    const { service } = build();
    expect(await service.verificationPage(null, 'BBBB-BBBB')).toEqual({
      loginFirst: `/saml/login?returnTo=${encodeURIComponent('/device?user_code=BBBB-BBBB')}`,
    });
  });
});
