import { Body, Controller, Get, Header, HttpStatus, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiError, Public } from '@app/platform';
import { AaiBridgeConfig } from '../config';
import { esc, page } from './html';
import { UserTokenService } from './user-token.service';
import { KeystoneClient } from '../keystone/keystone.client';
import { sessionToken } from '../saml/saml.controller';
import { SamlService } from '../saml/saml.service';
import { Session, SessionRepository } from '../saml/session.repository';

/** Hands the logged-in user a Keystone token: to Horizon (WebSSO) or as a clouds.yaml for the CLI. */
@ApiTags('handoff')
@Public()
@Controller()
export class HandoffController {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly saml: SamlService,
    private readonly tokens: UserTokenService,
    private readonly keystone: KeystoneClient,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
  ) {}

  @Get('websso')
  @ApiOperation({ summary: "Keystone's WebSSO shape: after login, POST an unscoped token to the trusted dashboard" })
  @ApiQuery({ name: 'origin', required: true })
  async websso(@Query('origin') origin: string | undefined, @Req() req: Request, @Res() res: Response) {
    if (!origin || !this.saml.trustedDashboards().includes(origin)) {
      throw ApiError.badRequest('untrusted_origin', 'origin must be exactly one of the trusted dashboards (AAI_TRUSTED_DASHBOARDS)');
    }
    const session = await this.session(req);
    if (!session) return res.redirect(302, `/saml/login?returnTo=${encodeURIComponent(`/websso?origin=${encodeURIComponent(origin)}`)}`);
    const { token } = await this.tokens.tokenFor(session.identity.keystoneUserId);
    res
      .status(200)
      .type('html')
      .set('Cache-Control', 'no-store')
      .send(
        page(
          'Signing in',
          `<form method="post" action="${esc(origin)}"><input type="hidden" name="token" value="${esc(token)}"/>` +
            `<noscript><button type="submit">Continue to the dashboard</button></noscript></form>` +
            `<script>document.forms[0].submit();</script>`,
        ),
      );
  }

  @Get('cli')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Your projects and roles, and a clouds.yaml with an application credential' })
  async cli(@Req() req: Request, @Res() res: Response) {
    const session = await this.session(req);
    if (!session) return res.redirect(302, `/saml/login?returnTo=${encodeURIComponent('/cli')}`);
    const rows = session.identity.projects
      .map(
        (p) =>
          `<tr><td>${esc(p.name)}</td><td>${esc(p.roles.join(', '))}</td><td><form method="post" action="/cli/clouds.yaml">` +
          `<input type="hidden" name="project" value="${esc(p.id)}"/>valid <input name="days" value="30" size="3"/> days ` +
          `<button type="submit">clouds.yaml</button></form></td></tr>`,
      )
      .join('');
    res
      .type('html')
      .send(
        page(
          'OpenStack CLI access',
          `<h1>${esc(session.identity.displayName ?? session.identity.userName)}</h1>` +
            (rows ? `<table><tr><th>project</th><th>roles</th><th></th></tr>${rows}</table>` : '<p>You have no project.</p>'),
        ),
      );
  }

  @Post('cli/clouds.yaml')
  @ApiOperation({ summary: 'An application credential for the project, as a clouds.yaml (shown once)' })
  async cloudsYaml(@Body() body: { project?: string; days?: string }, @Req() req: Request, @Res() res: Response) {
    const session = await this.session(req);
    if (!session) throw new ApiError(HttpStatus.UNAUTHORIZED, 'not_logged_in', 'log in at /saml/login first');
    const project = session.identity.projects.find((p) => p.id === body.project);
    if (!project) throw ApiError.badRequest('unknown_project', 'project must be one of your projects (see /cli)');
    const days = Number(body.days ?? 30);
    if (!Number.isInteger(days) || days < 1 || days > 365)
      throw ApiError.badRequest('invalid_days', 'days must be a whole number from 1 to 365');
    const { token } = await this.tokens.tokenFor(session.identity.keystoneUserId, project.id);
    const expiresAt = new Date(Date.now() + days * 86_400_000);
    const name = `aai-cli-${project.name}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '')}`;
    const cred = await this.keystone.createApplicationCredential(token, session.identity.keystoneUserId, name, expiresAt);
    const authUrl = this.config.KEYSTONE_PUBLIC_URL ?? this.keystone.url;
    const yaml = [
      '# OpenStack CLI access made by aai-bridge; keep this file private.',
      `# Application credential "${name}", project ${project.name}, expires ${expiresAt.toISOString()}.`,
      'clouds:',
      `  ${JSON.stringify(project.name)}:`,
      '    auth_type: v3applicationcredential',
      '    auth:',
      `      auth_url: ${JSON.stringify(authUrl)}`,
      `      application_credential_id: ${JSON.stringify(cred.id)}`,
      `      application_credential_secret: ${JSON.stringify(cred.secret)}`,
      '    identity_api_version: 3',
      '    interface: public',
      '',
    ].join('\n');
    res
      .status(200)
      .type('application/yaml')
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', 'attachment; filename="clouds.yaml"')
      .send(yaml);
  }

  private async session(req: Request): Promise<Session | null> {
    const token = sessionToken(req);
    return token ? this.sessions.find(token) : null;
  }
}
