import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { type AppConfig, validateEnv } from './config';

export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * @nestjs/config over the process's environment, validated by the EnvironmentVariables schema (no .env
 * file: the variables come from the process, docs/configuration.md); and APP_CONFIG, the typed config the
 * process resolved from it (loadConfig, plus the addresses of embedded servers it started).
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      imports: [NestConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: validateEnv })],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
