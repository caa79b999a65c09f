import { Controller, Get, HttpStatus, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
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
 * it makes carries the bearer token the admin pasted, checked as any other request.
 */
@ApiExcludeController()
@Public()
@Controller('admin')
export class ConsoleController {
  constructor(private readonly assets: ConsoleAssets) {}

  // Relative asset URLs (./assets/...) resolve under /admin/ only with the trailing slash. The
  // redirect is relative too, so it keeps any path prefix a proxy in front adds.
  @Get()
  root(@Req() req: Request, @Res() res: Response): void {
    if (!req.path.endsWith('/')) return res.redirect(HttpStatus.MOVED_PERMANENTLY, 'admin/');
    void this.send('', res);
  }

  @Get('*path')
  file(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.send(decodeURIComponent(req.path.replace(/^\/admin\/?/, '')), res);
  }

  private async send(relative: string, res: Response): Promise<void> {
    const file = await this.assets.read(relative);
    res.set({
      'Content-Type': file.contentType,
      'Content-Security-Policy': CONSOLE_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    res.send(file.body);
  }
}
