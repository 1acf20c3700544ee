import * as fs from 'node:fs';
import * as path from 'node:path';
import { Controller, Get, Inject, Redirect, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/public.decorator';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { vocabularyModule } from './vocabulary-module';

/**
 * The folder with the pages. Under ts-jest this file runs from src/web, so it is `./public`; the compiled
 * app runs from dist/src/web, where tsc copies nothing, so it is the source folder three levels up.
 */
export function findPublicDir(dirname = __dirname): string | undefined {
  const candidates = [path.join(dirname, 'public'), path.resolve(dirname, '../../../src/web/public')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'login.html')));
}

/**
 * The routes of the web pages that are not files (the files are served by ServeStaticModule, see
 * web.module.ts): the redirects to the inbox and what the pages need to know about the deployment. Only
 * `/app/config.json` needs a token. Routes generated at run time belong here.
 */
@ApiExcludeController()
@Controller()
export class WebController {
  private readonly vocabulary = vocabularyModule();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * The domain's lists and labels as an ES module (no such file: the static files fall through to here),
   * revalidated by its ETag like every other asset.
   */
  @Public()
  @Get('app/assets/vocabulary.js')
  vocabularyAsset(@Req() req: Request, @Res() res: Response): void {
    res.set({
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'no-cache',
      ETag: this.vocabulary.etag,
    });
    const known = (req.headers['if-none-match'] ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
    if (known.includes(this.vocabulary.etag)) {
      res.status(304).end();
      return;
    }
    res.send(this.vocabulary.body);
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
}
