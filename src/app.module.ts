import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AbsencesModule } from './absences/absences.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { NEST_LOGGING } from './logging/logger';
import { ImportsModule } from './imports/imports.module';
import { NominationsModule } from './nominations/nominations.module';
import { EmailSenderModule } from './notifications/email-sender.module';
import { NotificationsModule } from './notifications/notifications.module';
import { PipelineModule } from './pipeline/pipeline.module';
import { ReportsModule } from './reports/reports.module';
import { TasksModule } from './tasks/tasks.module';
import { TemporalModule } from './temporal/temporal.module';
import { UnitsModule } from './units/units.module';
import { UsersModule } from './users/users.module';
import { WebModule } from './web/web.module';

export interface AppRoles {
  /** Serve HTTP (`npm start`, `start:api`). */
  api: boolean;
  /** Run the Temporal worker (`npm start`, `start:worker`). */
  worker: boolean;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, roles: AppRoles): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(NEST_LOGGING),
        DatabaseModule,
        TemporalModule.forRoot({ worker: roles.worker }),
        // Beside the worker, never in the projection: an SMTP outage delays emails only.
        ...(roles.worker ? [EmailSenderModule] : []),
        ...(roles.api
          ? [
              AuthModule,
              UsersModule,
              UnitsModule,
              CampaignsModule,
              NominationsModule,
              TasksModule,
              NotificationsModule,
              AbsencesModule,
              PipelineModule,
              ReportsModule,
              AuditModule,
              ImportsModule,
              HealthModule,
              WebModule,
            ]
          : []),
      ],
    };
  }
}
