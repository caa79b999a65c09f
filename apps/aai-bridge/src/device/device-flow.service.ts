import { Inject, Injectable } from '@nestjs/common';
import { AuditRepository, ClockRepository, CryptoRepository, DomainError, MetricsRegistry } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { DeviceAuthorization, DeviceAuthorizationRepository } from './device-authorization.repository';
import { confirmPage, entryPage, resultPage } from './device.views';
import { HandoffService, PageOrLogin } from '../handoff/handoff.service';
import { loginFirst } from '../handoff/handoff.views';
import { ActiveSession } from '../session/session.service';

/** A code lives 10 minutes (RFC 8628 leaves it to the server; long enough to log in at an IdP). */
export const CODE_SECONDS = 600;
/** The polling interval first asked for; each slow_down adds SLOW_DOWN_SECONDS (RFC 8628 §3.5). */
export const INTERVAL_SECONDS = 5;
const SLOW_DOWN_SECONDS = 5;
/** Consonants only (no vowels: no words; no look-alikes like 0/O, 1/I): 20^8 ≈ 2^34.6 codes. */
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const USER_CODE_LENGTH = 8;
/** Wrong codes a logged-in user may enter per window before being refused (guessing is the attack). */
export const MAX_WRONG_CODES = 5;
const WRONG_CODE_WINDOW_MS = 10 * 60_000;
export const DEVICE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/** POST /device/code's answer (RFC 8628 §3.2). */
export interface DeviceCodeAnswer {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** POST /device/token's answer once approved: an application credential for the project. */
export interface DeviceCredential {
  auth_url: string;
  application_credential_id: string;
  application_credential_secret: string;
  application_credential_name: string;
  project_id: string;
  project_name: string;
  expires_at: string;
  cloud: string | null;
}

export type DeviceTokenAnswer =
  | { ok: true; credential: DeviceCredential }
  | { ok: false; error: 'authorization_pending' | 'slow_down' | 'access_denied' | 'expired_token' | 'invalid_grant'; description: string };

/** A browser page answer with its HTTP status. */
export type DevicePage = PageOrLogin & { status?: number };

/**
 * CLI login without a browser on the machine, in the shape of RFC 8628: the CLI gets a device
 * code and a short user code; the user opens the bridge in any browser, logs in through the
 * federation and approves the code for a project; the CLI, polling, gets an application
 * credential (AAI_APP_CREDENTIAL_DAYS) for that project. Codes expire, are used once, are kept
 * hashed; wrong user codes are limited per user.
 */
@Injectable()
export class DeviceFlowService {
  private readonly outcomes;

  constructor(
    private readonly authorizations: DeviceAuthorizationRepository,
    private readonly handoff: HandoffService,
    private readonly audit: AuditRepository,
    private readonly clock: ClockRepository,
    private readonly crypto: CryptoRepository,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
    metrics: MetricsRegistry,
  ) {
    this.outcomes = metrics.counter('aai_device_logins_total', 'CLI device-flow logins by outcome', ['outcome'] as const);
  }

  async start(request: { project?: string; cloud?: string }): Promise<DeviceCodeAnswer> {
    const now = this.clock.now();
    for (let attempt = 0; attempt < 5; attempt++) {
      const deviceCode = this.crypto.randomToken();
      const userCode = this.userCode();
      const created = await this.authorizations.create({
        deviceCodeHash: this.crypto.hashToken(deviceCode),
        userCodeHash: this.crypto.hashToken(userCode),
        requestedProject: request.project ?? null,
        cloudName: request.cloud ?? null,
        intervalSeconds: INTERVAL_SECONDS,
        expiresAt: new Date(now.getTime() + CODE_SECONDS * 1000),
      });
      if (!created) continue;
      await this.audit.record({
        actor: 'anonymous',
        action: 'device.code_issued',
        target: 'device',
        details: { project: request.project ?? null, cloud: request.cloud ?? null },
      });
      const shown = `${userCode.slice(0, 4)}-${userCode.slice(4)}`;
      const verification = `${this.config.AAI_PUBLIC_URL}/device`;
      return {
        device_code: deviceCode,
        user_code: shown,
        verification_uri: verification,
        verification_uri_complete: `${verification}?user_code=${shown}`,
        expires_in: CODE_SECONDS,
        interval: INTERVAL_SECONDS,
      };
    }
    throw DomainError.unavailable('device_code_exhausted', 'could not draw a free user code; try again');
  }

  /** GET /device: log in first; then the code entry form, or the approval of the code given. */
  async verificationPage(session: ActiveSession | null, userCode: string | undefined): Promise<DevicePage> {
    if (!session) return { loginFirst: loginFirst(`/device${userCode ? `?user_code=${encodeURIComponent(userCode)}` : ''}`) };
    if (!userCode) return { html: entryPage() };
    const found = await this.pendingFor(session, userCode);
    if ('refused' in found) return { html: entryPage(found.refused), status: found.status };
    return { html: confirmPage(found.authorization, normalise(userCode), session.identity, this.csrf(session, userCode)) };
  }

  /** POST /device: the user's approval (for a project of theirs) or refusal of the code. */
  async decide(
    session: ActiveSession | null,
    form: { user_code?: string; project?: string; decision?: string; csrf?: string },
  ): Promise<DevicePage> {
    if (!session) return { loginFirst: loginFirst('/device') };
    const userCode = form.user_code ?? '';
    // The form must come from the page the bridge showed this session for this code.
    if (!form.csrf || form.csrf !== this.csrf(session, userCode))
      return { html: entryPage('the form expired; enter the code again'), status: 403 };
    const found = await this.pendingFor(session, userCode);
    if ('refused' in found) return { html: entryPage(found.refused), status: found.status };
    const { identity } = session;
    const now = this.clock.now();
    const hash = this.crypto.hashToken(normalise(userCode));
    if (form.decision !== 'approve') {
      await this.authorizations.decide(hash, now, {
        status: 'denied',
        keystoneUserId: identity.keystoneUserId,
        userName: identity.userName,
        projectId: null,
        projectName: null,
      });
      this.outcomes.inc({ outcome: 'denied' });
      await this.audit.record({ actor: identity.userName, action: 'device.denied', target: 'device', details: {} });
      return { html: resultPage('Refused', 'The command-line login was refused. You can close this window.') };
    }
    const project = identity.projects.find((p) => p.id === form.project);
    if (!project) return { html: entryPage('choose one of your projects'), status: 400 };
    const decided = await this.authorizations.decide(hash, now, {
      status: 'approved',
      keystoneUserId: identity.keystoneUserId,
      userName: identity.userName,
      projectId: project.id,
      projectName: project.name,
    });
    if (!decided) return { html: entryPage('this code is no longer waiting for approval'), status: 400 };
    await this.audit.record({ actor: identity.userName, action: 'device.approved', target: `project ${project.name}`, details: {} });
    return {
      html: resultPage(
        'Approved',
        `The command line gets access to project ${project.name}. You can close this window and return to your terminal.`,
      ),
    };
  }

  /** POST /device/token: the CLI's poll. */
  async token(deviceCode: string): Promise<DeviceTokenAnswer> {
    const hash = this.crypto.hashToken(deviceCode);
    const a = await this.authorizations.byDeviceCode(hash);
    const now = this.clock.now();
    if (!a) return { ok: false, error: 'invalid_grant', description: 'unknown device code' };
    if (a.expiresAt.getTime() <= now.getTime()) return { ok: false, error: 'expired_token', description: 'the code expired; start again' };
    if (a.status === 'consumed' || a.status === 'issuing')
      return { ok: false, error: 'invalid_grant', description: 'the code was already used' };
    if (a.status === 'denied') return { ok: false, error: 'access_denied', description: 'the user refused' };
    if (a.lastPollAt && now.getTime() - a.lastPollAt.getTime() < a.intervalSeconds * 1000) {
      await this.authorizations.polled(hash, now, a.intervalSeconds + SLOW_DOWN_SECONDS);
      return { ok: false, error: 'slow_down', description: `poll every ${a.intervalSeconds + SLOW_DOWN_SECONDS} s` };
    }
    await this.authorizations.polled(hash, now, a.intervalSeconds);
    if (a.status === 'pending') return { ok: false, error: 'authorization_pending', description: 'waiting for the user' };
    if (!(await this.authorizations.claim(hash))) return { ok: false, error: 'invalid_grant', description: 'the code was already used' };
    return { ok: true, credential: await this.issue(hash, a) };
  }

  private async issue(hash: string, a: DeviceAuthorization): Promise<DeviceCredential> {
    try {
      const project = { id: a.projectId!, name: a.projectName! };
      const issued = await this.handoff.issueCredential(a.keystoneUserId!, project, this.config.AAI_APP_CREDENTIAL_DAYS, 'aai-login');
      await this.authorizations.issued(hash, true);
      this.outcomes.inc({ outcome: 'issued' });
      await this.audit.record({
        actor: a.userName!,
        action: 'device.credential_issued',
        target: `project ${project.name}`,
        details: { credentialId: issued.credential.id, expiresAt: issued.expiresAt },
      });
      return {
        auth_url: issued.authUrl,
        application_credential_id: issued.credential.id,
        application_credential_secret: issued.credential.secret,
        application_credential_name: issued.credentialName,
        project_id: project.id,
        project_name: project.name,
        expires_at: issued.expiresAt.toISOString(),
        cloud: a.cloudName,
      };
    } catch (err) {
      await this.authorizations.issued(hash, false);
      throw err;
    }
  }

  /** The pending authorization of a user code, counting a wrong code against the user's limit. */
  private async pendingFor(
    session: ActiveSession,
    userCode: string,
  ): Promise<{ authorization: DeviceAuthorization } | { refused: string; status: number }> {
    const user = session.identity.keystoneUserId;
    const now = this.clock.now();
    if ((await this.authorizations.failuresSince(user, new Date(now.getTime() - WRONG_CODE_WINDOW_MS))) >= MAX_WRONG_CODES)
      return { refused: 'too many wrong codes: wait ten minutes', status: 429 };
    const a = await this.authorizations.byUserCode(this.crypto.hashToken(normalise(userCode)));
    if (a && a.status === 'pending' && a.expiresAt.getTime() > now.getTime()) return { authorization: a };
    await this.authorizations.failed(user, now);
    this.outcomes.inc({ outcome: 'wrong_code' });
    await this.audit.record({ actor: session.identity.userName, action: 'device.wrong_code', target: 'device', details: {} });
    return { refused: 'unknown or expired code', status: 400 };
  }

  private userCode(): string {
    let code = '';
    while (code.length < USER_CODE_LENGTH) {
      // Bytes from 240 up would favour the first letters (256 = 12 × 20 + 16): drawn again.
      for (const b of this.crypto.randomBytes(USER_CODE_LENGTH))
        if (b < 240 && code.length < USER_CODE_LENGTH) code += USER_CODE_ALPHABET[b % 20];
    }
    return code;
  }

  private csrf(session: ActiveSession, userCode: string): string {
    return this.crypto.sha256(`aai-bridge device confirm\0${session.token}\0${normalise(userCode)}`).toString('base64url');
  }
}

/** User codes are read case-insensitively, dashes and spaces ignored (RFC 8628 §6.1). */
export const normalise = (userCode: string): string => userCode.toUpperCase().replace(/[^A-Z]/g, '');
