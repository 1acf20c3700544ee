import { Module } from '@nestjs/common';
import { WebController } from './web.controller';

/** The web pages under /app: static HTML, CSS and ES modules that call the JSON API (see docs/web.md). */
@Module({ controllers: [WebController] })
export class WebModule {}
