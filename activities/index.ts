import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { Mailer } from '../src/notifications/mailer';
import { CampaignActivities } from './campaign.activities';
import { NominationActivities } from './nomination.activities';
import { StepFailureActivities } from './step-failures';

export { CampaignActivities } from './campaign.activities';
export { NominationActivities } from './nomination.activities';

export interface ActivityDependencies {
  /** Queue notification emails in the outbox (SMTP_URL set); unset or false: in-app only. */
  email?: boolean;
  /**
   * @deprecated Same as `email: true`: the activities never send, the worker's email sender does. Kept
   * so the worker service that still passes its mailer keeps queueing emails.
   */
  mailer?: Mailer;
  /** Needed by the campaign workflow's fan-out, which signals nominations. */
  client?: Client;
}

/** The activity functions a worker registers, bound to their dependencies. */
export function createActivities(dataSource: DataSource, deps: ActivityDependencies = {}) {
  const email = deps.email ?? deps.mailer !== undefined;
  const nominations = new NominationActivities(dataSource, email);
  const campaigns = new CampaignActivities(dataSource, deps.client, email);
  const failures = new StepFailureActivities(dataSource);
  return {
    recordProjection: nominations.recordProjection,
    recordCampaignStep: campaigns.recordCampaignStep,
    fanOutCalendarChange: campaigns.fanOutCalendarChange,
    recordStepFailure: failures.recordStepFailure,
  };
}
