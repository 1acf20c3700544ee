import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { Mailer } from '../src/notifications/mailer';
import { CampaignActivities } from './campaign.activities';
import { NominationActivities } from './nomination.activities';
import { StepFailureActivities } from './step-failures';

export { CampaignActivities } from './campaign.activities';
export type { CampaignStep } from './campaign.activities';
export { NominationActivities } from './nomination.activities';
export type { ProjectionRecord } from './nomination.activities';
export type { StepFailure } from './step-failures';

export interface ActivityDependencies {
  /** Unset: notifications stay in-app only. */
  mailer?: Mailer;
  /** Needed by the campaign workflow's fan-out, which signals nominations. */
  client?: Client;
}

/** The activity functions a worker registers, bound to their dependencies. */
export function createActivities(dataSource: DataSource, deps: ActivityDependencies = {}) {
  const nominations = new NominationActivities(dataSource, deps.mailer);
  const campaigns = new CampaignActivities(dataSource, deps.client, deps.mailer);
  const failures = new StepFailureActivities(dataSource);
  return {
    recordProjection: nominations.recordProjection,
    recordCampaignStep: campaigns.recordCampaignStep,
    fanOutCalendarChange: campaigns.fanOutCalendarChange,
    recordStepFailure: failures.recordStepFailure,
  };
}
