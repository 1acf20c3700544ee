/**
 * Continue as new once a run's history has this many events, well before Temporal suggests it (about
 * 4,000 events) and far from its hard limit (51,200), where the run would be terminated while the read
 * model still shows the nomination open. A claim or an unclaim adds about 14 events, so a run holds some
 * 140 requests (test/workflow/bounded-history.spec.ts logs the figure), and a cold worker replays it fast.
 */
export const NOMINATION_MAX_HISTORY_EVENTS = 2_000;

/** Guards the continue-as-new check, so histories recorded before it replay unchanged. */
export const CONTINUE_AS_NEW_PATCH = 'nomination-continue-as-new';
/** Guards the review window of a resubmitted model (see resubmissionReviewDeadline). */
export const RESUBMISSION_REVIEW_WINDOW_PATCH = 'nomination-resubmission-review-window';
/**
 * Guards the deadline floor (nextDeadlineEvent's `floor`): reminders and escalations count from the moment
 * the task was opened or last re-dated (`OpenTask.datedAt`), so a late task gets no burst of them.
 */
export const DEADLINE_FLOOR_PATCH = 'nomination-deadline-floor';

/** Whether this run's history is long enough to hand over to a new run. */
export function historyIsLong(
  info: { historyLength: number; continueAsNewSuggested: boolean },
  maxHistoryEvents = NOMINATION_MAX_HISTORY_EVENTS,
): boolean {
  return info.continueAsNewSuggested || info.historyLength >= maxHistoryEvents;
}
