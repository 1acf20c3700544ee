import 'reflect-metadata';
import { type INestApplicationContext, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { DataSource } from 'typeorm';
import { AppModule, type AppRoles } from '../app.module';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { BODY_LIMIT_BYTES, bodyErrors, refuseUnknownEncoding } from '../common/body-errors';
import { HttpErrorFilter, validationException } from '../common/http-errors';
import { TextPipe } from '../common/text-pipe';
import { dataSourceOptions } from '../database/data-source-options';
import { runMigrations } from '../database/migrate';
import { seedIfEmpty, type SeedResult } from '../database/seed';
import { jsonLog, NEST_LOGGING } from '../logging/logger';
import { Logger, PinoLogger } from 'nestjs-pino';

export interface RunningApp {
  app: INestApplicationContext;
  /** Base URL of the HTTP API, when this process serves it. */
  url?: string;
  close(): Promise<void>;
}

/** Migrates and seeds the database, then starts the API and/or the worker against a resolved config. */
export async function startApp(config: AppConfig, roles: AppRoles): Promise<RunningApp> {
  const applied = await runMigrations(config.databaseUrl!).catch((err: Error) => {
    const { host, port } = new URL(config.databaseUrl!);
    throw new Error(
      `cannot migrate the database at ${host}${port ? '' : ':5432'} (DATABASE_URL): ${err.message}`,
    );
  });
  if (applied.length) jsonLog('info', 'migrations applied', { component: 'database', migrations: applied });
  const seed = await seedOnce(config);
  if (seed.seeded)
    jsonLog('info', 'empty database seeded with the demo province', { component: 'database', ...seed });

  const logger = new Logger(new PinoLogger(NEST_LOGGING), NEST_LOGGING);
  const module = AppModule.forRoot(config, roles);
  if (!roles.api) {
    const ctx = await NestFactory.createApplicationContext(module, { logger, abortOnError: false });
    return { app: ctx, close: () => ctx.close() };
  }
  const app = await NestFactory.create<NestExpressApplication>(module, {
    logger,
    bodyParser: false,
    // Let start-up errors reach runProcess, which prints one clear line and stops what it started.
    abortOnError: false,
  });
  configureHttp(app);
  await app.listen(config.port);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return { app, url: `http://localhost:${port}`, close: () => app.close() };
}

/**
 * Security headers, CORS, body limits, validation, the error shape and the OpenAPI page: the same for every
 * HTTP process and test.
 */
export function configureHttp(app: NestExpressApplication): void {
  const config = app.get<AppConfig>(APP_CONFIG);
  app.use(
    helmet({
      contentSecurityPolicy: {
        // The API may be served over plain HTTP (e.g. on a LAN address): upgrading the Swagger UI's
        // scripts and styles to https would stop /docs from loading. Everything else is helmet's default,
        // which the Swagger UI (same-origin scripts, inline styles, data: images) works with.
        directives: { upgradeInsecureRequests: null },
      },
    }),
  );
  // Browsers may call the API from other origins only when CORS_ORIGINS lists them; bearer tokens, no cookies.
  if (config.corsOrigins) {
    app.enableCors({
      origin: config.corsOrigins,
      exposedHeaders: ['Retry-After', 'Idempotent-Replayed', 'X-Next-Cursor'],
      maxAge: 600,
    });
  }
  // Body errors (too large, bad charset or encoding, not JSON) answered as 413/415/400, never 500;
  // the rules for every input are in docs/input.md.
  app.use(refuseUnknownEncoding);
  app.useBodyParser('json', { limit: BODY_LIMIT_BYTES });
  app.use(bodyErrors);
  app.useGlobalPipes(
    new TextPipe(),
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationException,
    }),
  );
  app.useGlobalFilters(new HttpErrorFilter());
  const doc = new DocumentBuilder()
    .setTitle('Nomination workflow engine')
    .setDescription('Award nominations moved through the round by Temporal workflows (docs/design.md §5).')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
}

async function seedOnce(config: AppConfig): Promise<SeedResult> {
  const ds = await new DataSource(dataSourceOptions(config.databaseUrl!)).initialize();
  try {
    return await seedIfEmpty(ds, config);
  } finally {
    await ds.destroy();
  }
}
