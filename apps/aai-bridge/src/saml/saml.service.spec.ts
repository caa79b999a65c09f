import type { Profile } from '@node-saml/node-saml';
import { MappedProperties } from '@app/keystone-mapping';
import { AuditRepository, ClockRepository, DomainError, MetricsRegistry } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { SamlSp } from './saml-sp';
import { SamlStateRepository } from './saml-state.repository';
import { SamlService } from './saml.service';
import { MappingService } from '../mapping/mapping.service';
import type { IdpEntity } from '../metadata/metadata-document';
import { MetadataService } from '../metadata/metadata.service';
import { ProvisioningService, ProvisionResult } from '../provisioning/provisioning.service';
import { ActiveSession, SessionService } from '../session/session.service';

const PUBLIC_URL = 'https://aai.cloud.test';
const ACS = `${PUBLIC_URL}/saml/acs`;
const IDP = 'https://idp.infn.test/idp';
const DASHBOARD = 'https://horizon.cloud.test/auth/websso/';
const NOW = new Date('2026-01-01T12:00:00Z');
const IDP_ENTITY: IdpEntity = {
  entityId: IDP,
  ssoUrl: `${IDP}/sso`,
  signingCerts: ['AAAA'],
  displayName: 'INFN',
  scopes: [{ value: 'infn.it', regexp: false }],
};
const OTHER_IDP: IdpEntity = {
  ...IDP_ENTITY,
  entityId: 'https://idp.unimi.test/idp',
  displayName: 'Unimi',
  scopes: [{ value: 'unimi.it', regexp: false }],
};
/** What the browser posts: only its claimed Issuer is read before verification (which is faked here). */
const posted = (issuer = IDP) =>
  Buffer.from(
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:Issuer>${issuer}</saml:Issuer></samlp:Response>`,
  ).toString('base64');
const RESPONSE = posted();

interface AssertionShape {
  id?: string;
  destination?: string;
  responseIssuer?: string;
  assertionIssuer?: string | null;
  recipient?: string;
  notOnOrAfter?: string;
}

/** A profile as node-saml hands it over after its own checks: what is left to SamlService is in the XML. */
function profile(a: AssertionShape = {}): Profile {
  const { id = '_a1', destination = ACS, responseIssuer = IDP, assertionIssuer = IDP, recipient = ACS, notOnOrAfter } = a;
  const ns = 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"';
  const assertion =
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}">` +
    (assertionIssuer === null ? '' : `<saml:Issuer>${assertionIssuer}</saml:Issuer>`) +
    `<saml:Subject><saml:SubjectConfirmation><saml:SubjectConfirmationData Recipient="${recipient}"` +
    (notOnOrAfter ? ` NotOnOrAfter="${notOnOrAfter}"` : '') +
    `/></saml:SubjectConfirmation></saml:Subject></saml:Assertion>`;
  const response = `<samlp:Response ${ns} Destination="${destination}"><saml:Issuer>${responseIssuer}</saml:Issuer>${assertion}</samlp:Response>`;
  return {
    issuer: IDP,
    nameID: 'nid-1',
    nameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
    sessionIndex: 'si-1',
    attributes: { 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6': 'alice@infn.it', 'urn:oid:0.9.2342.19200300.100.1.3': 'alice@cnaf.infn.it' },
    getSamlResponseXml: () => response,
    getAssertionXml: () => assertion,
    getAssertionXmlString: () => assertion,
  } as unknown as Profile;
}

const MAPPED: MappedProperties = { user: { name: 'alice@infn.it', type: 'ephemeral' }, group_ids: [], group_names: [], projects: [] };
const PROVISIONED: ProvisionResult = {
  user: { id: 'u1', name: 'alice@infn.it', domainId: 'default', created: false },
  projects: [{ id: 'p-cms', name: 'cms', roles: ['member'] }],
  groups: [],
  granted: ['project cms: role member'],
  revoked: [],
  keystoneCalls: { read: 0, write: 0, auth: 0 },
};

function build(
  o: { validated?: () => Promise<{ profile: Profile | null }>; firstSighting?: boolean; idps?: IdpEntity[]; discoveryUrl?: string } = {},
) {
  const saml = {
    validatePostResponseAsync: jest.fn(o.validated ?? (async () => ({ profile: profile(), loggedOut: false }))),
    getAuthorizeUrlAsync: jest.fn(async (relayState: string) => `${IDP}/sso?RelayState=${encodeURIComponent(relayState)}`),
    getLogoutUrlAsync: jest.fn(async () => `${IDP}/slo?SAMLRequest=x`),
  };
  const sp = { forIdp: jest.fn(() => saml), acsUrl: ACS, entityId: `${PUBLIC_URL}/saml/metadata` };
  const idps = o.idps ?? [IDP_ENTITY, OTHER_IDP];
  const federation = {
    idps: () => idps,
    idp: async (id: string) => idps.find((i) => i.entityId === id),
    trustedIdp: async (id: string) => {
      const found = idps.find((i) => i.entityId === id);
      if (!found) throw DomainError.invalid('unknown_idp', id);
      return found;
    },
    status: () => [],
  };
  const state = { firstSighting: jest.fn(async () => o.firstSighting ?? true) };
  const sessions = {
    start: jest.fn(async () => ({ token: 'tok', expiresAt: new Date('2026-01-01T20:00:00Z') })),
    end: jest.fn(async () => undefined),
  };
  const mapping = { forLogin: jest.fn(async () => MAPPED) };
  const provisioning = { provision: jest.fn(async () => PROVISIONED) };
  const audit = { record: jest.fn(async () => undefined) };
  const clock = { now: () => NOW, sleep: async () => undefined };
  const config = {
    AAI_PUBLIC_URL: PUBLIC_URL,
    AAI_TRUSTED_DASHBOARDS: ` ${DASHBOARD}, `,
    AAI_DISCOVERY_URL: o.discoveryUrl,
  } as AaiBridgeConfig;
  const metrics = new MetricsRegistry();
  const service = new SamlService(
    sp as unknown as SamlSp,
    state as unknown as SamlStateRepository,
    sessions as unknown as SessionService,
    mapping as unknown as MappingService,
    provisioning as unknown as ProvisioningService,
    audit as unknown as AuditRepository,
    clock as ClockRepository,
    federation as unknown as MetadataService,
    config,
    metrics,
  );
  const failures = async (reason: string) =>
    (await metrics.registry.getSingleMetric('aai_logins_total')!.get()).values.find(
      (v) => v.labels.outcome === 'failure' && v.labels.reason === reason,
    )?.value ?? 0;
  return { service, sp, saml, state, sessions, mapping, provisioning, audit, failures };
}

const refused = (kind: string, code: string) => expect.objectContaining({ kind, code });

describe('SamlService login', () => {
  it('refuses a POST without a SAMLResponse (403), counting it', async () => {
    const { service, saml, failures } = build();
    await expect(service.consume({})).rejects.toEqual(refused('forbidden', 'login_invalid'));
    expect(saml.validatePostResponseAsync).not.toHaveBeenCalled();
    expect(await failures('invalid')).toBe(1);
  });

  it('refuses a response whose InResponseTo node-saml does not know (unknown or already used request)', async () => {
    const { service, failures } = build({
      validated: async () => {
        throw new Error('InResponseTo is not valid');
      },
    });
    await expect(service.consume({ SAMLResponse: RESPONSE })).rejects.toEqual(refused('forbidden', 'login_in_response_to'));
    expect(await failures('in_response_to')).toBe(1);
  });

  it('names a signature failure as such', async () => {
    const { service } = build({
      validated: async () => {
        throw new Error('Invalid signature');
      },
    });
    await expect(service.consume({ SAMLResponse: RESPONSE })).rejects.toEqual(refused('forbidden', 'login_signature'));
  });

  it('refuses a second use of the same assertion (replay), starting no session', async () => {
    const { service, sessions } = build({ firstSighting: false });
    await expect(service.consume({ SAMLResponse: RESPONSE })).rejects.toEqual(refused('forbidden', 'login_replay'));
    expect(sessions.start).not.toHaveBeenCalled();
  });

  it("remembers an assertion's ID an hour past its NotOnOrAfter", async () => {
    const { service, state } = build({ validated: async () => ({ profile: profile({ notOnOrAfter: '2026-01-01T12:05:00Z' }) }) });
    await service.consume({ SAMLResponse: RESPONSE });
    expect(state.firstSighting).toHaveBeenCalledWith('_a1', new Date('2026-01-01T13:05:00Z'));
  });

  it('remembers an assertion without NotOnOrAfter for a day from now', async () => {
    const { service, state } = build();
    await service.consume({ SAMLResponse: RESPONSE });
    expect(state.firstSighting).toHaveBeenCalledWith('_a1', new Date('2026-01-02T12:00:00Z'));
  });

  it("refuses a Response addressed to another SP's ACS (Destination)", async () => {
    const { service, state } = build({ validated: async () => ({ profile: profile({ destination: 'https://other.test/acs' }) }) });
    await expect(service.consume({ SAMLResponse: RESPONSE })).rejects.toEqual(refused('forbidden', 'login_destination'));
    expect(state.firstSighting).not.toHaveBeenCalled();
  });

  it('refuses an assertion whose SubjectConfirmationData Recipient is not this ACS', async () => {
    const { service } = build({ validated: async () => ({ profile: profile({ recipient: 'https://other.test/acs' }) }) });
    await expect(service.consume({ SAMLResponse: RESPONSE })).rejects.toEqual(refused('forbidden', 'login_recipient'));
  });

  it("refuses an assertion issued by someone other than the metadata's IdP", async () => {
    const { service } = build({ validated: async () => ({ profile: profile({ assertionIssuer: 'https://evil.test/idp' }) }) });
    await expect(service.consume({ SAMLResponse: RESPONSE })).rejects.toEqual(refused('forbidden', 'login_issuer'));
  });

  it('refuses an assertion naming no Issuer', async () => {
    const { service } = build({ validated: async () => ({ profile: profile({ assertionIssuer: null }) }) });
    await expect(service.consume({ SAMLResponse: RESPONSE })).rejects.toEqual(refused('forbidden', 'login_issuer'));
  });

  it('refuses (403) a login the rules map to nothing', async () => {
    const { service, mapping, provisioning } = build();
    mapping.forLogin.mockRejectedValue(DomainError.unprocessable('no_mapping', 'Could not map any federated user properties'));
    await expect(service.consume({ SAMLResponse: RESPONSE })).rejects.toEqual(refused('forbidden', 'login_no_mapping'));
    expect(provisioning.provision).not.toHaveBeenCalled();
  });

  it('keeps the kind of a provisioning failure: a mapped project Keystone lacks is unprocessable', async () => {
    const { service, provisioning } = build();
    provisioning.provision.mockRejectedValue(DomainError.unprocessable('provisioning_failed', 'project x does not exist'));
    await expect(service.consume({ SAMLResponse: RESPONSE })).rejects.toEqual(refused('unprocessable', 'login_provisioning'));
  });

  it('keeps the kind of a provisioning failure: Keystone failing is upstream', async () => {
    const { service, provisioning } = build();
    provisioning.provision.mockRejectedValue(DomainError.upstream('keystone_failed', 'Keystone unreachable'));
    await expect(service.consume({ SAMLResponse: RESPONSE })).rejects.toEqual(refused('upstream', 'login_provisioning'));
  });

  it('starts a session with the provisioned identity and the IdP session reference, and goes to RelayState', async () => {
    const { service, sessions, mapping } = build();
    const done = await service.consume({ SAMLResponse: RESPONSE, RelayState: '/cli' });
    expect(done).toEqual({
      sessionToken: 'tok',
      returnTo: `${PUBLIC_URL}/cli`,
      expiresAt: new Date('2026-01-01T20:00:00Z'),
      httpsOnly: true,
    });
    expect(mapping.forLogin).toHaveBeenCalledWith({ eduPersonPrincipalName: 'alice@infn.it', mail: 'alice@cnaf.infn.it', idp: IDP });
    expect(sessions.start).toHaveBeenCalledWith(
      expect.objectContaining({
        keystoneUserId: 'u1',
        userName: 'alice@infn.it',
        email: 'alice@cnaf.infn.it',
        projects: PROVISIONED.projects,
      }),
      { nameId: 'nid-1', nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient', sessionIndex: 'si-1' },
    );
  });
});

describe('SamlService with many IdPs', () => {
  it('refuses a response from an IdP it does not trust before verifying anything', async () => {
    const { service, saml, failures } = build();
    await expect(service.consume({ SAMLResponse: posted('https://idp.evil.test') })).rejects.toEqual(refused('forbidden', 'login_issuer'));
    expect(saml.validatePostResponseAsync).not.toHaveBeenCalled();
    expect(await failures('issuer')).toBe(1);
  });

  it("verifies a response with the claimed IdP's keys, and refuses it when the verified Issuer is another", async () => {
    const { service, sp } = build();
    await expect(service.consume({ SAMLResponse: posted(OTHER_IDP.entityId) })).rejects.toEqual(refused('forbidden', 'login_issuer'));
    expect(sp.forIdp).toHaveBeenCalledWith(OTHER_IDP);
  });

  it('drops a scoped value outside the issuing IdP scopes: another institution cannot be alice@infn.it', async () => {
    const other = { ...OTHER_IDP, entityId: IDP, scopes: [{ value: 'unimi.it', regexp: false }] };
    const { service, mapping, audit } = build({ idps: [other] });
    await service.consume({ SAMLResponse: RESPONSE });
    expect(mapping.forLogin).toHaveBeenCalledWith({ mail: 'alice@cnaf.infn.it', idp: IDP });
    expect(audit.record).toHaveBeenCalledWith(expect.objectContaining({ action: 'scope_refused' }));
  });

  it('logs in at the IdP asked for, and refuses one it does not trust', async () => {
    const { service, sp } = build();
    expect(await service.loginStart('/cli', OTHER_IDP.entityId)).toEqual({
      redirect: expect.stringContaining('/sso'),
      idp: OTHER_IDP.entityId,
    });
    expect(sp.forIdp).toHaveBeenCalledWith(OTHER_IDP);
    await expect(service.loginStart('/cli', 'https://idp.evil.test')).rejects.toEqual(expect.objectContaining({ code: 'unknown_idp' }));
  });

  it('without an IdP: the only one directly, several through the discovery page (last choice remembered)', async () => {
    expect(await build({ idps: [IDP_ENTITY] }).service.loginStart(undefined, undefined)).toEqual({
      redirect: expect.any(String),
      idp: IDP,
    });
    expect(await build().service.loginStart('/cli', undefined, OTHER_IDP.entityId)).toEqual({
      discovery: {
        idps: [
          { entityId: IDP, displayName: 'INFN' },
          { entityId: OTHER_IDP.entityId, displayName: 'Unimi' },
        ],
        returnTo: `${PUBLIC_URL}/cli`,
        remembered: OTHER_IDP.entityId,
      },
    });
  });

  it('with AAI_DISCOVERY_URL: the SAML discovery protocol, coming back with ?idp=', async () => {
    const { redirect } = (await build({ discoveryUrl: 'https://ds.idem.test/ds' }).service.loginStart('/cli', undefined)) as {
      redirect: string;
    };
    const url = new URL(redirect);
    expect([url.origin + url.pathname, url.searchParams.get('entityID'), url.searchParams.get('returnIDParam')]).toEqual([
      'https://ds.idem.test/ds',
      `${PUBLIC_URL}/saml/metadata`,
      'idp',
    ]);
    expect(url.searchParams.get('return')).toBe(`${PUBLIC_URL}/saml/login?returnTo=${encodeURIComponent(`${PUBLIC_URL}/cli`)}`);
  });
});

describe('SamlService returnTo', () => {
  const { service } = build();

  it('defaults to /me', () => expect(service.checkReturnTo(undefined)).toBe(`${PUBLIC_URL}/me`));

  it('makes a path absolute on the bridge', () => expect(service.checkReturnTo('/cli')).toBe(`${PUBLIC_URL}/cli`));

  it('accepts a trusted dashboard as given', () => expect(service.checkReturnTo(`${DASHBOARD}?x=1`)).toBe(`${DASHBOARD}?x=1`));

  it('refuses any other origin (no open redirect)', () =>
    expect(() => service.checkReturnTo('https://evil.example/steal')).toThrow(
      expect.objectContaining({ kind: 'invalid', code: 'untrusted_return_to' }),
    ));

  it('refuses a protocol-relative URL, which a browser would take to another host', () =>
    expect(() => service.checkReturnTo('//evil.example/steal')).toThrow(
      expect.objectContaining({ kind: 'invalid', code: 'invalid_return_to' }),
    ));
});

describe('SamlService logout', () => {
  const session = (nameId: string | null): ActiveSession => ({
    token: 'tok',
    identity: { attributes: { idp: [IDP] } } as unknown as ActiveSession['identity'],
    nameId,
    nameIdFormat: null,
    sessionIndex: null,
    expiresAt: NOW,
  });

  it('ends the session and sends the browser to the IdP with a LogoutRequest', async () => {
    const { service, sessions, saml } = build();
    expect(await service.logout(session('nid-1'), '/')).toBe(`${IDP}/slo?SAMLRequest=x`);
    expect(sessions.end).toHaveBeenCalled();
    expect(saml.getLogoutUrlAsync).toHaveBeenCalledWith(expect.objectContaining({ nameID: 'nid-1' }), `${PUBLIC_URL}/`, {});
  });

  it('without a session goes straight back, asking the IdP nothing', async () => {
    const { service, saml } = build();
    expect(await service.logout(null, undefined)).toBe(`${PUBLIC_URL}/`);
    expect(saml.getLogoutUrlAsync).not.toHaveBeenCalled();
  });
});
