import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CampaignProgress } from '../domain/campaign';
import type { Calendar } from '../domain/calendar';
import type { Actor } from './nomination.messages';

/** Messages of campaignWorkflow, declared once and shared by the workflow, the API and the tests. */

export interface CampaignInput {
  campaignId: string;
  provinceUnitId: string;
  /** The calendar as saved when the workflow started; it then owns every change. */
  calendar: Calendar;
  /** Open nominations told per fan-out activity call (default FAN_OUT_PAGE_SIZE); tests use small pages. */
  fanOutPageSize?: number;
  /**
   * Continue as new once the history has more events than this, besides whenever Temporal suggests it
   * (its own threshold is in the thousands); lets an operator, and the tests, bound a run sooner.
   */
  maxHistoryEvents?: number;
  /** Carried over by continue-as-new: the audit sequence and what has been reminded and closed. */
  carried?: { seq: number; progress: CampaignProgress; startedAt: number; changedAt?: number };
}

export interface CalendarChangeRequest {
  calendar: Calendar;
  actor: Actor;
}

export interface CampaignState {
  campaignId: string;
  calendar: Calendar;
  progress: CampaignProgress;
  /** Open nominations told about the last calendar change. */
  lastFanOut: { signalled: number; closedMeanwhile: number } | null;
  over: boolean;
}

/** Moves the campaign's dates; answers once they are saved and every open nomination has been told. */
export const changeCalendarUpdate = defineUpdate<CampaignState, [CalendarChangeRequest]>('changeCalendar');
export const campaignStateQuery = defineQuery<CampaignState>('campaignState');
