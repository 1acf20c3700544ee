import type { DataSource } from 'typeorm';
import type { Mailer } from '../src/notifications/mailer';
import { NominationActivities } from './nomination.activities';

export { NominationActivities } from './nomination.activities';
export type { ProjectionRecord } from './nomination.activities';

export interface ActivityDependencies {
  /** Unset: notifications stay in-app only. */
  mailer?: Mailer;
}

/** The activity functions a worker registers, bound to their dependencies. */
export function createActivities(dataSource: DataSource, deps: ActivityDependencies = {}) {
  const nominations = new NominationActivities(dataSource, deps.mailer);
  return { recordProjection: nominations.recordProjection };
}
