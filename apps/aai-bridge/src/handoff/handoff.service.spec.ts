import { ClockRepository } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { HandoffService } from './handoff.service';
import { UserTokenService } from './user-token.service';
import { KeystoneClient } from '../keystone/keystone.client';
import { ProvisioningService } from '../provisioning/provisioning.service';
import { SamlService } from '../saml/saml.service';
import { ActiveSession } from '../session/session.service';

const DASHBOARD = 'https://horizon.cloud.test/auth/websso/';
const NOW = new Date('2026-01-01T12:00:00Z');

const SESSION: ActiveSession = {
  token: 'tok',
  identity: {
    keystoneUserId: 'u1',
    userName: 'alice@infn.it',
    domainId: 'default',
    projects: [{ id: 'p-cms', name: 'cms', roles: ['member'] }],
    groups: [],
    attributes: {},
  },
  nameId: null,
  nameIdFormat: null,
  sessionIndex: null,
  expiresAt: NOW,
};

function build() {
  const saml = { trustedDashboards: () => [DASHBOARD] };
  const tokens = { tokenFor: jest.fn(async () => ({ token: 'user-token', expiresAt: '' })) };
  const keystone = {
    url: 'http://keystone:5000/v3',
    createApplicationCredential: jest.fn(async () => ({ id: 'ac-1', secret: 's3cret' })),
  };
  const clock = { now: () => NOW, sleep: async () => undefined };
  const provisioning = { credentialIssued: jest.fn(async () => undefined) };
  const service = new HandoffService(
    saml as unknown as SamlService,
    tokens as unknown as UserTokenService,
    keystone as unknown as KeystoneClient,
    provisioning as unknown as ProvisioningService,
    clock as ClockRepository,
    { KEYSTONE_PUBLIC_URL: 'https://keystone.cloud.test/v3' } as AaiBridgeConfig,
  );
  return { service, tokens, keystone, provisioning };
}

describe('HandoffService', () => {
  it('hands a token only to an exactly trusted dashboard, even before asking for a login', async () => {
    const { service, tokens } = build();
    await expect(service.webSso('https://horizon.cloud.test/other', null)).rejects.toMatchObject({
      kind: 'invalid',
      code: 'untrusted_origin',
    });
    await expect(service.webSso(undefined, SESSION)).rejects.toMatchObject({ code: 'untrusted_origin' });
    expect(tokens.tokenFor).not.toHaveBeenCalled();
  });

  it('sends a browser without a session to log in, back to the same WebSSO request', async () => {
    const { service } = build();
    expect(await service.webSso(DASHBOARD, null)).toEqual({
      loginFirst: `/saml/login?returnTo=${encodeURIComponent(`/websso?origin=${encodeURIComponent(DASHBOARD)}`)}`,
    });
  });

  it("POSTs the user's unscoped token to the dashboard", async () => {
    const { service, tokens } = build();
    const page = await service.webSso(DASHBOARD, SESSION);
    expect(tokens.tokenFor).toHaveBeenCalledWith('u1');
    expect(page).toEqual({
      html: expect.stringContaining(`<form method="post" action="${DASHBOARD}"><input type="hidden" name="token" value="user-token"/>`),
    });
  });

  it("makes clouds.yaml only for one of the user's own projects", async () => {
    const { service, keystone } = build();
    await expect(service.cloudsYaml(SESSION, { project: 'p-other', days: 7 })).rejects.toMatchObject({
      kind: 'invalid',
      code: 'unknown_project',
    });
    expect(keystone.createApplicationCredential).not.toHaveBeenCalled();
  });

  it('asks for an application credential expiring after the days asked (30 by default), named by project and time', async () => {
    const { service, tokens, keystone } = build();
    const yaml = await service.cloudsYaml(SESSION, { project: 'p-cms' });
    expect(tokens.tokenFor).toHaveBeenCalledWith('u1', 'p-cms');
    expect(keystone.createApplicationCredential).toHaveBeenCalledWith(
      'user-token',
      'u1',
      'aai-cli-cms-2026-01-01120000',
      new Date('2026-01-31T12:00:00Z'),
    );
    expect(yaml).toContain('      auth_url: "https://keystone.cloud.test/v3"\n');
    expect(yaml).toContain('      application_credential_secret: "s3cret"\n');
  });

  it('remembers the credential it issued (its id and project, never the secret), to delete it with the role', async () => {
    const { service, provisioning } = build();
    await service.cloudsYaml(SESSION, { project: 'p-cms', days: 7 });
    expect(provisioning.credentialIssued).toHaveBeenCalledWith({
      credentialId: 'ac-1',
      keystoneUserId: 'u1',
      projectId: 'p-cms',
      name: expect.stringMatching(/^aai-cli-cms-/),
      expiresAt: new Date('2026-01-08T12:00:00Z'),
    });
  });
});
