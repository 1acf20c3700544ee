import * as fs from 'node:fs';
import * as path from 'node:path';
import { Controller, Get, Inject, NotFoundException, Param, Redirect, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { jsonLog } from '../logging/json-log';

/** Page path under /app → its HTML file in the public folder. */
const PAGES: Record<string, string> = {
  login: 'login.html',
  inbox: 'inbox.html',
  nominations: 'nomination.html',
  register: 'register.html',
  dashboard: 'dashboard.html',
  calendar: 'calendar.html',
};

/** Assets are one flat folder of plain names: nothing else can be asked for. */
const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(js|css|svg)$/;

/**
 * The folder with the pages. Under ts-jest this file runs from src/web, so it is `./public`; the compiled
 * app runs from dist/src/web, where tsc copies nothing, so it is the source folder three levels up.
 */
export function findPublicDir(dirname = __dirname): string | undefined {
  const candidates = [path.join(dirname, 'public'), path.resolve(dirname, '../../../src/web/public')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'login.html')));
}

/**
 * Serves the web pages: static HTML pages and same-origin ES modules (no inline script or style, so helmet's
 * default Content-Security-Policy holds). The pages hold no data: their scripts call the JSON API with the
 * bearer token kept in sessionStorage. Only `/app/config.json` needs a token.
 */
@ApiExcludeController()
@Controller()
export class WebController {
  private readonly dir = findPublicDir();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    if (!this.dir) {
      jsonLog('warn', 'the web pages (src/web/public) were not found; /app answers 404', {
        component: 'web',
      });
    }
  }

  @Public()
  @Get()
  @Redirect('/app/inbox', 302)
  root(): void {}

  @Public()
  @Get('app')
  @Redirect('/app/inbox', 302)
  app(): void {}

  /** What the pages need to know about the deployment: where the Temporal Web UI is. */
  @Get('app/config.json')
  clientConfig(): { temporalUiUrl: string | null; temporalNamespace: string } {
    return {
      temporalUiUrl: this.config.temporal.uiUrl?.replace(/\/+$/, '') ?? null,
      temporalNamespace: this.config.temporal.namespace,
    };
  }

  @Public()
  @Get('app/assets/:file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    if (!ASSET_NAME.test(file)) throw new NotFoundException('no such file');
    this.send(res, path.join('assets', file));
  }

  @Public()
  @Get('app/nominations/:id')
  nomination(@Res() res: Response): void {
    this.send(res, PAGES.nominations);
  }

  @Public()
  @Get('app/:page')
  page(@Param('page') page: string, @Res() res: Response): void {
    const file = Object.hasOwn(PAGES, page) ? PAGES[page] : undefined;
    if (!file) throw new NotFoundException('no such page');
    this.send(res, file);
  }

  private send(res: Response, file: string): void {
    const full = this.dir && path.join(this.dir, file);
    if (!full || !fs.existsSync(full)) throw new NotFoundException('no such file');
    // Revalidated on every load (ETag), so a changed page or script is picked up at once.
    res.sendFile(full, { headers: { 'Cache-Control': 'no-cache' }, dotfiles: 'deny' });
  }
}
