import { Body, Controller, Get, Header, HttpCode, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@app/platform';
import { DISCOVERY_CSP, DISCOVERY_SCRIPT, IDP_COOKIE, renderDiscoveryPage } from './discovery-page';
import { AcsFormDto, LoginQueryDto, ReturnToQueryDto, SloFormDto, SloQueryDto } from './dto/saml-binding.dto';
import { SamlService } from './saml.service';
import { CurrentSession, SessionInterceptor } from '../session/current-session';
import { SESSION_COOKIE, sessionCookieOptions } from '../session/session-cookie';
import { ActiveSession } from '../session/session.service';

@ApiTags('saml')
@Public()
@Controller('saml')
export class SamlController {
  constructor(private readonly saml: SamlService) {}

  @Get('metadata')
  @Header('Content-Type', 'application/samlmetadata+xml')
  @ApiProduces('application/samlmetadata+xml')
  metadata(): string {
    return this.saml.metadata();
  }

  @Get('login')
  @ApiOperation({
    summary: 'Start a login at the IdP (idp=entityID; without it and with several IdPs: discovery); comes back to returnTo',
  })
  async login(@Query() query: LoginQueryDto, @Req() req: Request, @Res() res: Response) {
    const start = await this.saml.loginStart(query.returnTo, query.idp, rememberedIdp(req));
    if ('redirect' in start) {
      if (query.idp && start.idp)
        res.cookie(IDP_COOKIE, start.idp, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 86_400_000, path: '/saml/login' });
      return res.redirect(302, start.redirect);
    }
    res.setHeader('Content-Security-Policy', DISCOVERY_CSP);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(renderDiscoveryPage(start.discovery));
  }

  @Get('discovery.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  @ApiExcludeEndpoint()
  discoveryScript(): string {
    return DISCOVERY_SCRIPT;
  }

  @Post('acs')
  @HttpCode(303)
  @ApiExcludeEndpoint()
  async acs(@Body() form: AcsFormDto, @Req() req: Request, @Res() res: Response) {
    const done = await this.saml.consume(form);
    const secure = req.protocol === 'https' || done.httpsOnly;
    res.cookie(SESSION_COOKIE, done.sessionToken, sessionCookieOptions(done.expiresAt, secure));
    res.redirect(303, done.returnTo);
  }

  @Get('logout')
  @UseInterceptors(SessionInterceptor)
  @ApiOperation({ summary: 'Log out here and at the IdP (SP-initiated single logout)' })
  async logout(@Query() query: ReturnToQueryDto, @CurrentSession() session: ActiveSession | null, @Res() res: Response) {
    const target = await this.saml.logout(session, query.returnTo);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(302, target);
  }

  @Get('slo')
  @UseInterceptors(SessionInterceptor)
  @ApiOperation({ summary: "Single logout endpoint (Redirect binding): the IdP's LogoutRequest or LogoutResponse" })
  async slo(@Query() query: SloQueryDto, @CurrentSession() session: ActiveSession | null, @Req() req: Request, @Res() res: Response) {
    if (!query.SAMLRequest && !query.SAMLResponse) return this.logout({ returnTo: query.returnTo }, session, res);
    const target = await this.saml.singleLogout(query, req.originalUrl.split('?')[1] ?? '');
    if (query.SAMLResponse) res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(302, target);
  }

  @Post('slo')
  @ApiExcludeEndpoint()
  async sloPost(@Body() form: SloFormDto, @Res() res: Response) {
    const target = await this.saml.singleLogoutPost(form);
    if (form.SAMLResponse) res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(302, target);
  }
}

/** The IdP chosen last (a preference only: a cookie that does not decode is ignored). */
function rememberedIdp(req: Request): string | undefined {
  const raw = /(?:^|;\s*)aai_idp=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  try {
    return raw ? decodeURIComponent(raw) : undefined;
  } catch {
    return undefined;
  }
}
