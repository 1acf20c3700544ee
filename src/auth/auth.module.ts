import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { PolicyGuard } from './can';
import { AuthService } from './auth.service';
import { LoginLimiter } from './login-limiter';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        secret: config.jwt.secret,
        signOptions: { expiresIn: config.jwt.ttlSeconds },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    LoginLimiter,
    // In this order: who the caller is, then whether their role may do the route's action.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: PolicyGuard },
  ],
  exports: [LoginLimiter],
})
export class AuthModule {}
