import type { AuditAction } from '../activities/nomination.activities';
import type { CalendarChange, DecisionResult, NominationContent, OpenTask } from './messages';
import type { DeadlineProgress } from '../src/domain/calendar';
import type { NominationStage } from '../src/domain/nomination';

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

/**
 * Everything a nomination knows that its registration input does not, handed from one run to the next.
 * The calendar travels as the input's own `calendar`; the registration is not recorded again.
 */
export interface CarriedNomination {
  /** The last audit sequence number used: the next run goes on from it, without a gap or a repeat. */
  seq: number;
  stage: NominationStage;
  /** The open task, with its dates, holder, `openedAt` and `datedAt` (which reminders were already skipped). */
  task: OpenTask | null;
  /** Which reminders and escalations were sent for the task's due date: none is sent twice. */
  progress: DeadlineProgress | null;
  decisions: number;
  revisions: number;
  content: NominationContent;
  /** Answers already given, by task id: a retried decision still gets its answer in the next run. */
  decided: [string, DecidedTask][];
  /** Calendar changes signalled but not applied yet: applied first by the next run. */
  calendarChanges: CalendarChange[];
  /** The system's step refused for its data and held: the next run tries it again at its time. */
  held: HeldStep | null;
}

/** A system step refused for its data, waiting for its next try. */
export interface HeldStep {
  action: AuditAction;
  work: 'timer' | 'calendar';
  attempts: number;
  until: number;
}

export interface DecidedTask {
  /** Who decided what (decisionKey): the same again is a retry, anything else a conflict. */
  key: string;
  result: DecisionResult;
}

/** Whether this run's history is long enough to hand over to a new run. */
export function historyIsLong(
  info: { historyLength: number; continueAsNewSuggested: boolean },
  maxHistoryEvents = NOMINATION_MAX_HISTORY_EVENTS,
): boolean {
  return info.continueAsNewSuggested || info.historyLength >= maxHistoryEvents;
}
