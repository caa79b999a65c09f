import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Profile } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import { MappedProperties } from '@app/keystone-mapping';
import { AuditRepository, ClockRepository, DomainError, DomainErrorKind, MetricsRegistry } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { normaliseAttributes, toKeystoneAssertion } from './attributes';
import { AcsFormDto, SloFormDto, SloQueryDto } from './dto/saml-binding.dto';
import { claimedIssuer } from './saml-issuer';
import { SamlSp } from './saml-sp';
import { SamlStateRepository } from './saml-state.repository';
import { checkScopes } from './scoped-attributes';
import { MappingService } from '../mapping/mapping.service';
import type { IdpEntity } from '../metadata/metadata-document';
import { MetadataService } from '../metadata/metadata.service';
import { ProvisioningService, ProvisionResult } from '../provisioning/provisioning.service';
import { SessionIdentity } from '../session/session.repository';
import { ActiveSession, SessionService } from '../session/session.service';

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';

export interface LoginDone {
  sessionToken: string;
  returnTo: string;
  expiresAt: Date;
  /** The bridge is reached over https (its ACS says so): the cookie must say Secure. */
  httpsOnly: boolean;
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

/** Where /saml/login sends the browser: to an IdP or a discovery service, or to the discovery page. */
export type LoginStart =
  | { redirect: string; idp?: string }
  | { discovery: { idps: Array<{ entityId: string; displayName: string }>; returnTo: string; remembered?: string } };

/** A verified assertion's ID and how long its ID must be remembered to refuse a replay. */
interface CheckedAssertion {
  assertionId: string;
  expiresAt: Date;
}

@Injectable()
export class SamlService {
  private readonly logger = new Logger(SamlService.name);
  private readonly logins;

  constructor(
    private readonly sp: SamlSp,
    private readonly state: SamlStateRepository,
    private readonly sessions: SessionService,
    private readonly mapping: MappingService,
    private readonly provisioning: ProvisioningService,
    private readonly audit: AuditRepository,
    private readonly clock: ClockRepository,
    private readonly federation: MetadataService,
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
      throw DomainError.invalid('invalid_return_to', 'returnTo must be a path or a URL of the bridge or a trusted dashboard');
    }
    if (!allowed.includes(origin))
      throw DomainError.invalid('untrusted_return_to', `returnTo ${origin} is not the bridge or a trusted dashboard`);
    return returnTo;
  }

  trustedDashboards(): string[] {
    return this.config.AAI_TRUSTED_DASHBOARDS.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }

  /** The SP metadata the IdP registers: entityID, ACS, SLO and the SP certificate. */
  metadata(): string {
    return this.sp.metadata();
  }

  /**
   * A login at the IdP asked for; without one, at the only IdP, else the discovery service
   * (AAI_DISCOVERY_URL, the SAML IdP Discovery protocol: it comes back here with ?idp=) or the
   * bridge's own discovery page, the IdP chosen last (a cookie) first.
   */
  async loginStart(returnTo: string | undefined, idp: string | undefined, remembered?: string): Promise<LoginStart> {
    const back = this.checkReturnTo(returnTo);
    if (idp) {
      const chosen = await this.federation.trustedIdp(idp);
      return { redirect: await this.sp.forIdp(chosen).getAuthorizeUrlAsync(back, undefined, {}), idp: chosen.entityId };
    }
    const idps = this.federation.idps();
    const onlyListed = idps.length === 1 && !this.federation.status().some((s) => s.kind === 'mdq');
    if (onlyListed) return { redirect: await this.sp.forIdp(idps[0]).getAuthorizeUrlAsync(back, undefined, {}), idp: idps[0].entityId };
    const discoveryUrl = this.config.AAI_DISCOVERY_URL;
    if (discoveryUrl) {
      const comeBack = `${this.config.AAI_PUBLIC_URL}/saml/login?returnTo=${encodeURIComponent(back)}`;
      const query = new URLSearchParams({ entityID: this.sp.entityId, return: comeBack, returnIDParam: 'idp' });
      return { redirect: `${discoveryUrl}${discoveryUrl.includes('?') ? '&' : '?'}${query}` };
    }
    return {
      discovery: {
        idps: idps.map((i) => ({ entityId: i.entityId, displayName: i.displayName })),
        returnTo: back,
        remembered: remembered && idps.some((i) => i.entityId === remembered) ? remembered : undefined,
      },
    };
  }

  /**
   * The IdP's answer at the ACS: verified (node-saml, then what it leaves to us), accepted once,
   * mapped, provisioned into Keystone; then a session starts.
   */
  async consume(form: AcsFormDto): Promise<LoginDone> {
    const idp = await this.issuingIdp(form.SAMLResponse);
    const profile = await this.verifiedProfile(idp, form.SAMLResponse);
    await this.acceptOnce(this.checkEnvelope(profile, idp));
    const returnTo = this.checkReturnTo(form.RelayState || undefined);
    const attributes = this.attributesOf(profile, idp);
    const mapped = await this.mapLogin(attributes);
    const provisioned = await this.provisionLogin(mapped, attributes);
    const session = await this.sessions.start(identityOf(mapped, provisioned, attributes), {
      nameId: profile.nameID ?? null,
      nameIdFormat: profile.nameIDFormat ?? null,
      sessionIndex: profile.sessionIndex ?? null,
    });
    this.logins.inc({ outcome: 'success', reason: '' });
    await this.audit.record({
      actor: provisioned.user.name,
      action: 'login',
      target: 'saml',
      details: { idp: idp.entityId, granted: provisioned.granted, revoked: provisioned.revoked },
    });
    return { sessionToken: session.token, returnTo, expiresAt: session.expiresAt, httpsOnly: this.sp.acsUrl.startsWith('https:') };
  }

  /**
   * SP-initiated logout: ends the local session, then sends the user to the IdP with a signed
   * LogoutRequest (the IdP's LogoutResponse comes back to /saml/slo).
   */
  async logout(session: ActiveSession | null, returnTo: string | undefined): Promise<string> {
    const back = this.checkReturnTo(returnTo ?? '/');
    if (!session) return back;
    await this.sessions.end(session);
    const idp = await this.federation.idp(session.identity.attributes.idp?.[0] ?? '');
    if (!session.nameId || !idp) return back;
    return this.sp.forIdp(idp).getLogoutUrlAsync(
      {
        issuer: idp.entityId,
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
  async singleLogout(query: SloQueryDto, originalQuery: string): Promise<string> {
    let profile: Profile | null;
    const idp = await this.logoutIdp(query.SAMLRequest ?? query.SAMLResponse, true);
    try {
      ({ profile } = await this.sp.forIdp(idp).validateRedirectAsync(asStrings(query), originalQuery));
    } catch (err) {
      throw this.refuseLogoutMessage(err as Error);
    }
    if (query.SAMLRequest && profile) return this.answerLogoutRequest(idp, profile, query.RelayState);
    return this.checkReturnTo(query.RelayState || '/');
  }

  /** /saml/slo on the POST binding: same as singleLogout. */
  async singleLogoutPost(form: SloFormDto): Promise<string> {
    let profile: Profile | undefined;
    const idp = await this.logoutIdp(form.SAMLRequest ?? form.SAMLResponse, false);
    const saml = this.sp.forIdp(idp);
    try {
      if (form.SAMLRequest) ({ profile } = await saml.validatePostRequestAsync(asStrings(form)));
      else if (!(await saml.validatePostResponseAsync(asStrings(form))).loggedOut) throw new Error('not a LogoutResponse');
    } catch (err) {
      throw this.refuseLogoutMessage(err as Error);
    }
    if (profile) return this.answerLogoutRequest(idp, profile, form.RelayState);
    return this.checkReturnTo(form.RelayState || '/');
  }

  /** IdP-initiated logout: end the sessions it names, answer with a LogoutResponse. */
  private async answerLogoutRequest(idp: IdpEntity, profile: Profile, relayState: string | undefined): Promise<string> {
    const ended = await this.sessions.endAtIdpRequest(profile.nameID, profile.sessionIndex ?? null);
    await this.audit.record({ actor: 'idp', action: 'logout', target: 'saml', details: { idp: idp.entityId, sessions: ended } });
    return this.sp.forIdp(idp).getLogoutResponseUrlAsync(profile, relayState ?? '', {}, true);
  }

  /** The trusted IdP a logout message claims to come from (its keys then verify it). */
  private async logoutIdp(message: string | undefined, deflated: boolean): Promise<IdpEntity> {
    const issuer = message ? claimedIssuer(message, deflated) : undefined;
    const idp = issuer ? await this.federation.idp(issuer) : undefined;
    if (!idp) throw this.refuse('issuer', `logout message refused: issuer ${issuer ?? '(none)'} is not a trusted IdP`, 'invalid');
    return idp;
  }

  /** The trusted IdP the response claims to come from: its metadata's keys verify the response. */
  private async issuingIdp(samlResponse: string | undefined): Promise<IdpEntity> {
    if (!samlResponse) throw this.refuse('invalid', 'no SAMLResponse in the POST');
    const issuer = claimedIssuer(samlResponse, false);
    const idp = issuer ? await this.federation.idp(issuer) : undefined;
    if (!idp) throw this.refuse('issuer', `Issuer ${issuer ?? '(none)'} is not an IdP this service trusts`);
    return idp;
  }

  /**
   * What the rules see: friendly names, scoped values only in a scope the IdP declares (the rest
   * dropped and logged), and `idp`, the issuing IdP's entityID, so rules can differ per IdP.
   */
  private attributesOf(profile: Profile, idp: IdpEntity): Record<string, string[]> {
    const checked = checkScopes(normaliseAttributes((profile.attributes ?? {}) as Record<string, unknown>), idp.scopes);
    if (checked.refused.length) {
      this.logger.warn({ idp: idp.entityId, refused: checked.refused }, 'scoped attribute values outside the IdP scopes dropped');
      void this.audit
        .record({ actor: 'anonymous', action: 'scope_refused', target: 'saml', details: { idp: idp.entityId, refused: checked.refused } })
        .catch(() => undefined);
    }
    return { ...checked.attributes, idp: [idp.entityId] };
  }

  /** node-saml's checks: signature, audience, issuer of the Response, time, InResponseTo. */
  private async verifiedProfile(idp: IdpEntity, samlResponse: string | undefined): Promise<Profile> {
    if (!samlResponse) throw this.refuse('invalid', 'no SAMLResponse in the POST');
    try {
      const { profile } = await this.sp.forIdp(idp).validatePostResponseAsync({ SAMLResponse: samlResponse });
      if (!profile) throw new Error('no assertion in the response');
      return profile;
    } catch (err) {
      const message = (err as Error).message;
      throw this.refuse(classify(message), message);
    }
  }

  /** An assertion logs in once: a second sighting of its ID (on any node) is a replay. */
  private async acceptOnce(checked: CheckedAssertion): Promise<void> {
    if (!(await this.state.firstSighting(checked.assertionId, checked.expiresAt))) {
      throw this.refuse('replay', `assertion ${checked.assertionId} was already used`);
    }
  }

  /** Rules that map nothing (or are invalid) refuse the login: the user has no access. */
  private async mapLogin(attributes: Record<string, string[]>): Promise<MappedProperties> {
    try {
      return await this.mapping.forLogin(toKeystoneAssertion(attributes));
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'unprocessable') throw this.refuse('no_mapping', err.message);
      throw err;
    }
  }

  /** A provisioning failure keeps its kind: a mapped project Keystone lacks, or Keystone failing. */
  private async provisionLogin(mapped: MappedProperties, attributes: Record<string, string[]>): Promise<ProvisionResult> {
    try {
      return await this.provisioning.provision(mapped, attributes);
    } catch (err) {
      if (err instanceof DomainError) throw this.refuse('provisioning', err.message, err.kind);
      throw err;
    }
  }

  /** Destination and Recipient (node-saml leaves them to us), read from the verified XML. */
  private checkEnvelope(profile: Profile, idp: IdpEntity): CheckedAssertion {
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
      if (issuer && issuer.textContent?.trim() !== idp.entityId) {
        throw this.refuse('issuer', `Issuer ${issuer.textContent?.trim()} is not the IdP whose keys verified it (${idp.entityId})`);
      }
    }
    const confirmations = Array.from(assertion.getElementsByTagNameNS(SAML, 'SubjectConfirmationData'));
    if (!confirmations.some((c) => c.getAttribute('Recipient') === acs))
      throw this.refuse('recipient', `SubjectConfirmationData Recipient is not this SP's ACS ${acs}`);
    const notOnOrAfter = confirmations.map((c) => c.getAttribute('NotOnOrAfter')).find(Boolean);
    // Remembered an hour past its validity (clock skew); without a bound, a day.
    const expiresAt = notOnOrAfter ? new Date(Date.parse(notOnOrAfter) + 3_600_000) : new Date(this.clock.now().getTime() + 24 * 3_600_000);
    return { assertionId, expiresAt };
  }

  private refuseLogoutMessage(err: Error): DomainError {
    return this.refuse(classify(err.message), `logout message refused: ${err.message}`, 'invalid');
  }

  /** Counts, logs and audits a refused login; the error says why in its code (login_<reason>). */
  private refuse(reason: FailureReason, message: string, kind: DomainErrorKind = 'forbidden'): DomainError {
    this.logins.inc({ outcome: 'failure', reason });
    this.logger.warn({ reason, message }, 'login refused');
    void this.audit
      .record({ actor: 'anonymous', action: 'login_refused', target: 'saml', details: { reason, message } })
      .catch(() => undefined);
    return new DomainError(kind, `login_${reason}`, `login refused: ${message}`);
  }
}

/** What the session remembers of the login: the Keystone user, what it was given, the attributes. */
function identityOf(mapped: MappedProperties, provisioned: ProvisionResult, attributes: Record<string, string[]>): SessionIdentity {
  return {
    keystoneUserId: provisioned.user.id,
    userName: provisioned.user.name,
    domainId: provisioned.user.domainId,
    email: mapped.user.email ?? attributes.mail?.[0],
    displayName: attributes.displayName?.[0],
    projects: provisioned.projects,
    groups: provisioned.groups,
    attributes,
  };
}

/** A binding DTO as node-saml takes it: only the parameters present, as strings. */
function asStrings(dto: object): Record<string, string> {
  return Object.fromEntries(Object.entries(dto).filter(([, v]) => typeof v === 'string'));
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
