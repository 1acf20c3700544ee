import type { CalendarChangeRequest } from '../src/contracts/campaign.messages';
import { REFUSAL } from '../src/contracts/failures';
import { type CampaignProgress, calendarChangeProblems } from '../src/domain/campaign';
import { type Calendar, calendarProblems } from '../src/domain/calendar';
import { may } from '../src/domain/access-policy';
import { refuse } from './refusals';

/** What the validator sees of a campaign run. */
export interface CampaignView {
  over: boolean;
  /** Another change is being applied: one at a time. */
  changing: boolean;
  calendar: Calendar;
  progress: CampaignProgress;
}

/**
 * Refuses, before it reaches history, a calendar change the campaign cannot take: once the round is over,
 * while another change is applied, from anyone but an administrator, or dates that are invalid in
 * themselves or that calendarChangeProblems refuses (such as moving the dates of a stage already closed).
 */
export function validateCalendarChange(request: CalendarChangeRequest, v: CampaignView, now: number): void {
  if (v.over) throw refuse(REFUSAL.conflict, 'the campaign is over; its calendar can no longer change');
  if (v.changing) throw refuse(REFUSAL.conflict, 'another calendar change is being applied');
  if (!may(request.actor, 'campaign.calendar'))
    throw refuse(REFUSAL.forbidden, 'only an admin may change the calendar');
  const problems = calendarProblems(request.calendar);
  if (problems.length === 0) {
    problems.push(...calendarChangeProblems(v.calendar, request.calendar, v.progress, now));
  }
  if (problems.length)
    throw refuse(REFUSAL.invalid, problems.map((p) => `${p.field} ${p.reason}`).join('; '));
}
