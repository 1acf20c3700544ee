import type { DataSource } from 'typeorm';
import { NominationActivities } from './nomination.activities';

export { NominationActivities } from './nomination.activities';
export type { ProjectionRecord } from './nomination.activities';

/** The activity functions a worker registers, bound to their dependencies. */
export function createActivities(dataSource: DataSource) {
  const nominations = new NominationActivities(dataSource);
  return { recordProjection: nominations.recordProjection };
}
