import type { DataSourceOptions } from 'typeorm';
import { Absence } from '../absences/absence.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { CampaignEvent } from '../campaigns/campaign-event.entity';
import { Campaign } from '../campaigns/campaign.entity';
import { Nomination } from '../nominations/nomination.entity';
import { EmailOutbox } from '../notifications/email-outbox.entity';
import { Notification } from '../notifications/notification.entity';
import { StepFailure } from '../pipeline/step-failure.entity';
import { ProposalReservation } from '../tasks/proposal-reservation.entity';
import { Task } from '../tasks/task.entity';
import { Unit } from '../units/unit.entity';
import { User } from '../users/user.entity';
import { Foundation1764050000000 } from './migrations/1764050000000-Foundation';
import { Lifecycle1764060000000 } from './migrations/1764060000000-Lifecycle';
import { NotificationEmail1764070000000 } from './migrations/1764070000000-NotificationEmail';
import { Campaigns1764080000000 } from './migrations/1764080000000-Campaigns';
import { Inbox1764090000000 } from './migrations/1764090000000-Inbox';
import { Pipeline1764100000000 } from './migrations/1764100000000-Pipeline';
import { Reports1764110000000 } from './migrations/1764110000000-Reports';
import { EmailOutbox1764120000000 } from './migrations/1764120000000-EmailOutbox';
import { StepFailures1764130000000 } from './migrations/1764130000000-StepFailures';
import { ProposalReservations1764140000000 } from './migrations/1764140000000-ProposalReservations';
import { NominationListing1764150000000 } from './migrations/1764150000000-NominationListing';
import { NoticeTemplates1764163000000 } from './migrations/1764163000000-NoticeTemplates';

/** One entity per table, so the entity list describes the whole schema (test/integration/entities-match-schema). */
export const ENTITIES = [
  Unit,
  Campaign,
  CampaignEvent,
  User,
  Nomination,
  Task,
  ProposalReservation,
  AuditEvent,
  Notification,
  EmailOutbox,
  Absence,
  StepFailure,
];
export const MIGRATIONS = [
  Foundation1764050000000,
  Lifecycle1764060000000,
  NotificationEmail1764070000000,
  Campaigns1764080000000,
  Inbox1764090000000,
  Pipeline1764100000000,
  Reports1764110000000,
  EmailOutbox1764120000000,
  StepFailures1764130000000,
  ProposalReservations1764140000000,
  NominationListing1764150000000,
  NoticeTemplates1764163000000,
];

/**
 * The one place that says how we talk to PostgreSQL: schema only through migrations, never synchronize.
 * A bounded wait for a pooled connection, so that with PostgreSQL down or the pool exhausted a request is
 * answered 503 instead of waiting for ever.
 */
export function dataSourceOptions(url: string, connectTimeoutMs = 5000): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: ['error'],
    extra: { max: 10, connectionTimeoutMillis: connectTimeoutMs },
  };
}
