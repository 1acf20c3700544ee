import { DynamicModule, Module } from '@nestjs/common';
import { AbsencesModule } from './absences/absences.module';
import { AuthModule } from './auth/auth.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthController } from './health/health.controller';
import { NominationsModule } from './nominations/nominations.module';
import { NotificationsModule } from './notifications/notifications.module';
import { TasksModule } from './tasks/tasks.module';
import { TemporalModule } from './temporal/temporal.module';
import { UnitsModule } from './units/units.module';
import { UsersModule } from './users/users.module';

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
        DatabaseModule,
        TemporalModule.forRoot({ worker: roles.worker }),
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
            ]
          : []),
      ],
      controllers: roles.api ? [HealthController] : [],
    };
  }
}
