import { Inject, Injectable } from '@nestjs/common';
import { ClockRepository, DomainError } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { CloudsYamlFormDto } from './dto/handoff.dto';
import { cliPage, cloudsYaml, loginFirst, webSsoForm } from './handoff.views';
import { UserTokenService } from './user-token.service';
import { KeystoneClient } from '../keystone/keystone.client';
import { ProvisioningService } from '../provisioning/provisioning.service';
import { SamlService } from '../saml/saml.service';
import { ActiveSession } from '../session/session.service';

/** An application credential just made (its secret is shown once, never stored). */
export interface IssuedCredential {
  credentialName: string;
  credential: { id: string; secret: string };
  expiresAt: Date;
  /** The Keystone URL users reach (KEYSTONE_PUBLIC_URL). */
  authUrl: string;
}

/** A page for a logged-in user, or where to log in first. */
export type PageOrLogin = { html: string } | { loginFirst: string };

const DEFAULT_CREDENTIAL_DAYS = 30;

/** Hands the logged-in user a Keystone token: to Horizon (WebSSO) or as a clouds.yaml for the CLI. */
@Injectable()
export class HandoffService {
  constructor(
    private readonly saml: SamlService,
    private readonly tokens: UserTokenService,
    private readonly keystone: KeystoneClient,
    private readonly provisioning: ProvisioningService,
    private readonly clock: ClockRepository,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
  ) {}

  /** Keystone's WebSSO shape: an unscoped token POSTed to the dashboard, which must be trusted. */
  async webSso(origin: string | undefined, session: ActiveSession | null): Promise<PageOrLogin> {
    if (!origin || !this.saml.trustedDashboards().includes(origin)) {
      throw DomainError.invalid('untrusted_origin', 'origin must be exactly one of the trusted dashboards (AAI_TRUSTED_DASHBOARDS)');
    }
    if (!session) return { loginFirst: loginFirst(`/websso?origin=${encodeURIComponent(origin)}`) };
    const { token } = await this.tokens.tokenFor(session.identity.keystoneUserId);
    return { html: webSsoForm(origin, token) };
  }

  cliPage(session: ActiveSession | null): PageOrLogin {
    return session ? { html: cliPage(session.identity) } : { loginFirst: loginFirst('/cli') };
  }

  /** A new application credential on one of the user's projects, as a clouds.yaml (its secret shown once). */
  async cloudsYaml(session: ActiveSession, form: CloudsYamlFormDto): Promise<string> {
    const { identity } = session;
    const project = identity.projects.find((p) => p.id === form.project);
    if (!project) throw DomainError.invalid('unknown_project', 'project must be one of your projects (see /cli)');
    const issued = await this.issueCredential(identity.keystoneUserId, project, form.days ?? DEFAULT_CREDENTIAL_DAYS, 'aai-cli');
    return cloudsYaml({ ...issued, projectName: project.name });
  }

  /**
   * An application credential for the user on the project (made with the user's own token, as
   * Keystone requires), remembered by id so that losing the role on the project deletes it too.
   */
  async issueCredential(userId: string, project: { id: string; name: string }, days: number, prefix: string): Promise<IssuedCredential> {
    const { token } = await this.tokens.tokenFor(userId, project.id);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + days * 86_400_000);
    const credentialName = `${prefix}-${project.name}-${now.toISOString().slice(0, 19).replace(/[:T]/g, '')}`;
    const credential = await this.keystone.createApplicationCredential(token, userId, credentialName, expiresAt);
    await this.provisioning.credentialIssued({
      credentialId: credential.id,
      keystoneUserId: userId,
      projectId: project.id,
      name: credentialName,
      expiresAt,
    });
    return { credentialName, credential, expiresAt, authUrl: this.config.KEYSTONE_PUBLIC_URL ?? this.keystone.url };
  }
}
