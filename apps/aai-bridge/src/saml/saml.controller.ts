import { Body, Controller, Get, Header, HttpCode, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@app/platform';
import { AcsFormDto, ReturnToQueryDto, SloFormDto, SloQueryDto } from './dto/saml-binding.dto';
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
  @ApiOperation({ summary: 'Start a login at the IdP; comes back to returnTo (the bridge or a trusted dashboard)' })
  async login(@Query() query: ReturnToQueryDto, @Res() res: Response) {
    res.redirect(302, await this.saml.loginUrl(query.returnTo));
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
