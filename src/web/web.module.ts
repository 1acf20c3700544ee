import { Module } from '@nestjs/common';
import { WebController } from './web.controller';

/** The web pages under /app: static HTML, CSS and ES modules that call the JSON API (see README, "Web pages"). */
@Module({ controllers: [WebController] })
export class WebModule {}
