import { Body, Controller, Get, Header, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiError, Public } from '@app/platform';
import { SamlSp } from './saml-sp';
import { SamlService } from './saml.service';
import { SessionRepository } from './session.repository';

export const SESSION_COOKIE = 'aai_session';

export function sessionToken(req: Request): string | undefined {
  const match = /(?:^|;\s*)aai_session=([^;]+)/.exec(req.headers.cookie ?? '');
  return match?.[1];
}

@ApiTags('saml')
@Public()
@Controller()
export class SamlController {
  constructor(
    private readonly sp: SamlSp,
    private readonly saml: SamlService,
    private readonly sessions: SessionRepository,
  ) {}

  @Get('saml/metadata')
  @Header('Content-Type', 'application/samlmetadata+xml')
  metadata(): string {
    return this.sp.metadata();
  }

  @Get('saml/login')
  @ApiOperation({ summary: 'Start a login at the IdP; comes back to returnTo (the bridge or a trusted dashboard)' })
  @ApiQuery({ name: 'returnTo', required: false })
  async login(@Query('returnTo') returnTo: string | undefined, @Res() res: Response) {
    res.redirect(302, await this.saml.loginUrl(returnTo));
  }

  @Post('saml/acs')
  @HttpCode(303)
  @ApiExcludeEndpoint()
  async acs(@Body() body: Record<string, string>, @Req() req: Request, @Res() res: Response) {
    const done = await this.saml.consume(body);
    res.cookie(SESSION_COOKIE, done.sessionToken, {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.protocol === 'https' || this.sp.acsUrl.startsWith('https:'),
      expires: done.expiresAt,
      path: '/',
    });
    res.redirect(303, done.returnTo);
  }

  @Get('saml/logout')
  @ApiOperation({ summary: 'Log out here and at the IdP (SP-initiated single logout)' })
  @ApiQuery({ name: 'returnTo', required: false })
  async logout(@Query('returnTo') returnTo: string | undefined, @Req() req: Request, @Res() res: Response) {
    const token = sessionToken(req);
    const session = token ? await this.sessions.find(token) : null;
    const target = await this.saml.startLogout(session, returnTo);
    if (token) await this.sessions.delete(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(302, target);
  }

  @Get('saml/slo')
  @ApiOperation({ summary: "Single logout endpoint (Redirect binding): the IdP's LogoutRequest or LogoutResponse" })
  async slo(@Query() query: Record<string, string>, @Req() req: Request, @Res() res: Response) {
    if (!query.SAMLRequest && !query.SAMLResponse) return this.logout(query.returnTo, req, res);
    const originalQuery = req.originalUrl.split('?')[1] ?? '';
    const target = await this.saml.singleLogout(query, originalQuery);
    if (query.SAMLResponse) res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(302, target);
  }

  @Post('saml/slo')
  @ApiExcludeEndpoint()
  async sloPost(@Body() body: Record<string, string>, @Res() res: Response) {
    const target = await this.saml.singleLogoutPost(body);
    if (body.SAMLResponse) res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(302, target);
  }

  @Get('me')
  @ApiOperation({ summary: "The logged-in user's mapped identity, or 401" })
  async me(@Req() req: Request) {
    const token = sessionToken(req);
    const session = token ? await this.sessions.find(token) : null;
    if (!session) throw new ApiError(401, 'not_logged_in', 'no valid session: log in at /saml/login');
    return { ...session.identity, sessionExpiresAt: session.expiresAt };
  }
}
