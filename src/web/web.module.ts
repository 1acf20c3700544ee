import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import type { NextFunction, Request, Response } from 'express';
import { jsonLog } from '../logging/logger';
import { findPublicDir } from './web.controller';
import { WebController } from './web.controller';

/** Page path under /app → its HTML file in the public folder. */
const PAGES: Record<string, string> = {
  login: 'login.html',
  inbox: 'inbox.html',
  nominations: 'nomination.html',
  register: 'register.html',
  dashboard: 'dashboard.html',
  calendar: 'calendar.html',
};

const PAGE_PATH = /^\/app\/([a-z]+)(\/[^/]+)?$/;

/**
 * A page's path names its HTML file (`/app/inbox` → inbox.html, `/app/nominations/<id>` →
 * nomination.html): the request is pointed at the file before the static files are looked up.
 */
function pageFile(req: Request, _res: Response, next: NextFunction): void {
  const [pathname, query] = req.url.split(/\?(.*)/s, 2);
  const [, page, rest] = PAGE_PATH.exec(pathname) ?? [];
  const file = page && Object.hasOwn(PAGES, page) && (!rest || page === 'nominations') && PAGES[page];
  if (file) req.url = `/app/${file}` + (query === undefined ? '' : `?${query}`);
  next();
}

const publicDir = findPublicDir();

/**
 * The web pages under /app: static HTML, CSS and ES modules that call the JSON API (see docs/web.md). No
 * inline script or style, so helmet's default Content-Security-Policy holds; the pages hold no data,
 * their scripts call the API with the bearer token kept in sessionStorage. Every file is revalidated on
 * each load (ETag), so a changed page or script is picked up at once; anything not a file falls through
 * to the API's 404.
 */
@Module({
  imports: publicDir
    ? [
        ServeStaticModule.forRoot({
          rootPath: publicDir,
          serveRoot: '/app',
          // No single-page fallback: an unknown path is a 404, not a page.
          exclude: ['/app/{*any}'],
          serveStaticOptions: {
            index: false,
            redirect: false,
            dotfiles: 'deny',
            fallthrough: true,
            cacheControl: false,
            setHeaders: (res: Response) => res.setHeader('Cache-Control', 'no-cache'),
          },
        }),
      ]
    : [],
  controllers: [WebController],
})
export class WebModule implements NestModule {
  constructor() {
    if (!publicDir) {
      jsonLog('warn', 'the web pages (src/web/public) were not found; /app answers 404', {
        component: 'web',
      });
    }
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(pageFile).forRoutes({ path: 'app/*path', method: RequestMethod.GET });
  }
}
