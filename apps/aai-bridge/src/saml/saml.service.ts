import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { Profile } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import { ApiError, AuditRepository, MetricsRegistry } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { normaliseAttributes, toKeystoneAssertion } from './attributes';
import { SamlSp } from './saml-sp';
import { SamlStateRepository } from './saml-state.repository';
import { Session, SessionRepository } from './session.repository';
import { MappingService } from '../mapping/mapping.service';
import { ProvisioningError, ProvisioningService } from '../provisioning/provisioning.service';

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';

export interface LoginDone {
  sessionToken: string;
  returnTo: string;
  expiresAt: Date;
}

/** Why a login failed, as counted in metrics and audited (never the assertion itself). */
type FailureReason =
  | 'signature'
  | 'audience'
  | 'issuer'
  | 'time'
  | 'in_response_to'
  | 'replay'
  | 'destination'
  | 'recipient'
  | 'invalid'
  | 'no_mapping'
  | 'provisioning';

@Injectable()
export class SamlService {
  private readonly logger = new Logger(SamlService.name);
  private readonly logins;

  constructor(
    private readonly sp: SamlSp,
    private readonly state: SamlStateRepository,
    private readonly sessions: SessionRepository,
    private readonly mapping: MappingService,
    private readonly provisioning: ProvisioningService,
    private readonly audit: AuditRepository,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
    metrics: MetricsRegistry,
  ) {
    this.logins = metrics.counter('aai_logins_total', 'SAML logins by outcome and failure reason', ['outcome', 'reason'] as const);
  }

  /** returnTo may only lead back into the bridge or to a trusted dashboard: no open redirect. */
  checkReturnTo(returnTo: string | undefined): string {
    const publicUrl = this.config.AAI_PUBLIC_URL;
    if (!returnTo) return `${publicUrl}/me`;
    if (returnTo.startsWith('/') && !returnTo.startsWith('//')) return `${publicUrl}${returnTo}`;
    const allowed = [publicUrl, ...this.trustedDashboards()].map((u) => new URL(u).origin);
    let origin: string;
    try {
      origin = new URL(returnTo).origin;
    } catch {
      throw ApiError.badRequest('invalid_return_to', 'returnTo must be a path or a URL of the bridge or a trusted dashboard');
    }
    if (!allowed.includes(origin))
      throw ApiError.badRequest('untrusted_return_to', `returnTo ${origin} is not the bridge or a trusted dashboard`);
    return returnTo;
  }

  trustedDashboards(): string[] {
    return this.config.AAI_TRUSTED_DASHBOARDS.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }

  async loginUrl(returnTo: string | undefined): Promise<string> {
    return this.sp.saml.getAuthorizeUrlAsync(this.checkReturnTo(returnTo), undefined, {});
  }

  async consume(body: Record<string, string>): Promise<LoginDone> {
    if (!body?.SAMLResponse) throw this.refuse('invalid', 'no SAMLResponse in the POST');
    let profile: Profile;
    try {
      const result = await this.sp.saml.validatePostResponseAsync({ SAMLResponse: body.SAMLResponse });
      if (!result.profile) throw new Error('no assertion in the response');
      profile = result.profile;
    } catch (err) {
      const message = (err as Error).message;
      throw this.refuse(classify(message), message);
    }
    const checked = this.checkEnvelope(profile);
    if (!(await this.state.firstSighting(checked.assertionId, checked.expiresAt))) {
      throw this.refuse('replay', `assertion ${checked.assertionId} was already used`);
    }
    const returnTo = this.checkReturnTo(body.RelayState || undefined);
    const attributes = normaliseAttributes((profile.attributes ?? {}) as Record<string, unknown>);
    let mapped;
    try {
      mapped = await this.mapping.forLogin(toKeystoneAssertion(attributes));
    } catch (err) {
      // MappingService turns Keystone's "no mapping" (and invalid rules) into a 422.
      if (err instanceof ApiError && err.status === HttpStatus.UNPROCESSABLE_ENTITY)
        throw this.refuse('no_mapping', err.message, HttpStatus.FORBIDDEN);
      throw err;
    }
    let provisioned;
    try {
      provisioned = await this.provisioning.provision(mapped, attributes);
    } catch (err) {
      if (err instanceof ProvisioningError) throw this.refuse('provisioning', err.message, HttpStatus.BAD_GATEWAY);
      throw err;
    }
    const expiresAt = new Date(Date.now() + this.config.AAI_SESSION_HOURS * 3_600_000);
    const sessionToken = await this.sessions.create({
      identity: {
        keystoneUserId: provisioned.user.id,
        userName: provisioned.user.name,
        domainId: provisioned.user.domainId,
        email: mapped.user.email ?? attributes.mail?.[0],
        displayName: attributes.displayName?.[0],
        projects: provisioned.projects,
        groups: provisioned.groups,
        attributes,
      },
      nameId: profile.nameID ?? null,
      nameIdFormat: profile.nameIDFormat ?? null,
      sessionIndex: profile.sessionIndex ?? null,
      expiresAt,
    });
    this.logins.inc({ outcome: 'success', reason: '' });
    await this.audit.record({
      actor: provisioned.user.name,
      action: 'login',
      target: 'saml',
      details: { granted: provisioned.granted, revoked: provisioned.revoked },
    });
    return { sessionToken, returnTo, expiresAt };
  }

  /**
   * SP-initiated logout: ends the local session, then sends the user to the IdP with a signed
   * LogoutRequest (the IdP's LogoutResponse comes back to /saml/slo).
   */
  async startLogout(session: Session | null, returnTo: string | undefined): Promise<string> {
    const back = this.checkReturnTo(returnTo ?? '/');
    if (!session?.nameId) return back;
    return this.sp.saml.getLogoutUrlAsync(
      {
        issuer: this.sp.idp.entityId,
        nameID: session.nameId,
        nameIDFormat: session.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
        sessionIndex: session.sessionIndex ?? undefined,
      },
      back,
      {},
    );
  }

  /**
   * /saml/slo on the Redirect binding: the IdP's LogoutRequest (IdP-initiated: end the user's
   * sessions, answer with a LogoutResponse) or its LogoutResponse to ours (go back to RelayState).
   */
  async singleLogout(query: Record<string, string>, originalQuery: string): Promise<string> {
    let result: { profile: Profile | null; loggedOut: boolean };
    try {
      result = await this.sp.saml.validateRedirectAsync(query, originalQuery);
    } catch (err) {
      throw this.refuse(classify((err as Error).message), `logout message refused: ${(err as Error).message}`, HttpStatus.BAD_REQUEST);
    }
    if (query.SAMLRequest && result.profile) {
      const ended = await this.sessions.deleteByNameId(result.profile.nameID, result.profile.sessionIndex ?? null);
      await this.audit.record({ actor: 'idp', action: 'logout', target: 'saml', details: { sessions: ended } });
      return this.sp.saml.getLogoutResponseUrlAsync(result.profile, query.RelayState ?? '', {}, true);
    }
    return this.checkReturnTo(query.RelayState || '/');
  }

  /** /saml/slo on the POST binding: same as singleLogout. */
  async singleLogoutPost(body: Record<string, string>): Promise<string> {
    try {
      if (body.SAMLRequest) {
        const { profile } = await this.sp.saml.validatePostRequestAsync(body);
        const ended = await this.sessions.deleteByNameId(profile.nameID, profile.sessionIndex ?? null);
        await this.audit.record({ actor: 'idp', action: 'logout', target: 'saml', details: { sessions: ended } });
        return this.sp.saml.getLogoutResponseUrlAsync(profile, body.RelayState ?? '', {}, true);
      }
      const { loggedOut } = await this.sp.saml.validatePostResponseAsync(body);
      if (!loggedOut) throw new Error('not a LogoutResponse');
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw this.refuse(classify((err as Error).message), `logout message refused: ${(err as Error).message}`, HttpStatus.BAD_REQUEST);
    }
    return this.checkReturnTo(body.RelayState || '/');
  }

  /** Destination and Recipient (node-saml leaves them to us), read from the verified XML. */
  private checkEnvelope(profile: Profile): { assertionId: string; expiresAt: Date } {
    const acs = this.sp.acsUrl;
    const response = parse(profile.getSamlResponseXml?.() ?? '');
    const destination = response.getElementsByTagNameNS(SAMLP, 'Response')[0]?.getAttribute('Destination');
    if (destination && destination !== acs)
      throw this.refuse('destination', `Response Destination ${destination} is not this SP's ACS ${acs}`);
    const assertion = parse(profile.getAssertionXml?.() ?? '');
    const root = assertion.documentElement;
    const assertionId = root?.getAttribute('ID');
    if (!root || !assertionId) throw this.refuse('invalid', 'verified assertion has no ID');
    // node-saml checks the Issuer of logout messages only: check the login's ourselves.
    const issuers = [
      Array.from(root.childNodes).find((n) => (n as Element).localName === 'Issuer'),
      Array.from(response.documentElement?.childNodes ?? []).find((n) => (n as Element).localName === 'Issuer'),
    ];
    if (!issuers[0]) throw this.refuse('issuer', 'the assertion names no Issuer');
    for (const issuer of issuers) {
      if (issuer && issuer.textContent?.trim() !== this.sp.idp.entityId) {
        throw this.refuse('issuer', `Issuer ${issuer.textContent?.trim()} is not the IdP of the metadata (${this.sp.idp.entityId})`);
      }
    }
    const confirmations = Array.from(assertion.getElementsByTagNameNS(SAML, 'SubjectConfirmationData'));
    if (!confirmations.some((c) => c.getAttribute('Recipient') === acs))
      throw this.refuse('recipient', `SubjectConfirmationData Recipient is not this SP's ACS ${acs}`);
    const notOnOrAfter = confirmations.map((c) => c.getAttribute('NotOnOrAfter')).find(Boolean);
    const expiresAt = notOnOrAfter ? new Date(Date.parse(notOnOrAfter) + 3_600_000) : new Date(Date.now() + 24 * 3_600_000);
    return { assertionId, expiresAt };
  }

  private refuse(reason: FailureReason, message: string, status: HttpStatus = HttpStatus.FORBIDDEN): ApiError {
    this.logins.inc({ outcome: 'failure', reason });
    this.logger.warn({ reason, message }, 'login refused');
    void this.audit
      .record({ actor: 'anonymous', action: 'login_refused', target: 'saml', details: { reason, message } })
      .catch(() => undefined);
    return new ApiError(status, `login_${reason}`, `login refused: ${message}`);
  }
}

function parse(xml: string) {
  return new DOMParser({ errorHandler: { warning: () => undefined, error: () => undefined, fatalError: () => undefined } }).parseFromString(
    xml || '<empty/>',
    'text/xml',
  );
}

function classify(message: string): FailureReason {
  const m = message.toLowerCase();
  if (m.includes('signature')) return 'signature';
  if (m.includes('audience')) return 'audience';
  if (m.includes('issuer')) return 'issuer';
  // node-saml reports a subject confirmation out of its time window as "no valid subject confirmation".
  if (
    m.includes('expired') ||
    m.includes('not yet valid') ||
    m.includes('notbefore') ||
    m.includes('notonorafter') ||
    m.includes('subject confirmation')
  )
    return 'time';
  if (m.includes('inresponseto')) return 'in_response_to';
  return 'invalid';
}
