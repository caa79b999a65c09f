import { Controller, Get, HttpStatus, Param, Req, Res, StreamableFile } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import { ConsoleAssets } from './console-assets';
import { Public } from '../auth/roles';

/**
 * The page loads only its own scripts and styles and talks only to this origin: no inline script
 * can run even if some text the API returns were ever rendered as markup. Styles set from script
 * (the charts' sizes) go through the CSSOM, which style-src does not restrict.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The admin console's static files under /admin. Public: the page holds no data; every API call
 * it makes carries the bearer token the admin pasted, checked as any other request. Written against
 * Nest's HTTP adapter, not a framework's response: the console is served by apps on either.
 */
@ApiExcludeController()
@Public()
@Controller('admin')
export class ConsoleController {
  constructor(
    private readonly assets: ConsoleAssets,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  // Relative asset URLs (./assets/...) resolve under /admin/ only with the trailing slash. The
  // redirect is relative too, so it keeps any path prefix a proxy in front adds.
  @Get()
  root(@Req() req: unknown, @Res() res: unknown): Promise<void> | void {
    const http = this.adapterHost.httpAdapter;
    if (!http.getRequestUrl(req).split('?')[0].endsWith('/')) return http.redirect(res, HttpStatus.MOVED_PERMANENTLY, 'admin/');
    return this.send('', res);
  }

  // The built console is index.html and assets/<name>.<hash>.<ext>: two levels cover it.
  @Get(':file')
  file(@Param('file') file: string, @Res() res: unknown): Promise<void> {
    return this.send(file, res);
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() res: unknown): Promise<void> {
    return this.send(`assets/${file}`, res);
  }

  private async send(relative: string, res: unknown): Promise<void> {
    const file = await this.assets.read(relative);
    const http = this.adapterHost.httpAdapter;
    for (const [name, value] of Object.entries({
      'Content-Type': file.contentType,
      'Content-Security-Policy': CONSOLE_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    }))
      http.setHeader(res, name, value);
    http.reply(res, new StreamableFile(file.body, { type: file.contentType, length: file.body.length }), HttpStatus.OK);
  }
}
