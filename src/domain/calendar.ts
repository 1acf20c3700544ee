/**
 * Calendar arithmetic (pure): when a task is due, when it is cut off, and what happens next to a task
 * nobody acts on. Shared by the workflow (which sets its timers by it), the API (which validates
 * calendars) and the tests.
 */
import { type Outcome, type Stage, STAGES } from './nomination';
import { timeMs } from './time';

export interface StageDeadline {
  /** ISO-8601. After it the task is overdue and escalated; nothing is decided by silence. */
  dueAt: string;
  /** ISO-8601, not before dueAt. At it the nomination closes (see cutoffOutcome). */
  cutoffAt: string;
}

export interface Calendar {
  stages: Record<Stage, StageDeadline>;
  /** Hours before a due date at which the assignee is reminded, e.g. [72, 24]. */
  reminderOffsetsHours: number[];
  /** Hours a submitter has to resubmit after a revision request. */
  revisionWindowHours: number;
  /** Hours between escalation reminders once a task is overdue (default 24). */
  escalationCadenceHours?: number;
  /** Revision requests allowed per nomination (default 3). */
  maxRevisions?: number;
  /**
   * Hours a model resubmitted in time is given for its review at the least (default 72, at most
   * MAX_RESUBMISSION_REVIEW_HOURS), however close its stage's own dates are.
   */
  resubmissionReviewHours?: number;
}

export const DEFAULT_ESCALATION_CADENCE_HOURS = 24;
export const DEFAULT_MAX_REVISIONS = 3;
export const HOUR_MS = 3_600_000;
export const DEFAULT_RESUBMISSION_REVIEW_HOURS = 72;
/** 30 days: longer would let one late revision hold a stage open well past the round's next stage. */
export const MAX_RESUBMISSION_REVIEW_HOURS = 720;

/**
 * Bounds on the calendar's amplifiers: each reminder, escalation and revision is a timer, an activity and
 * a notification in a workflow's history, so none may be unbounded (docs/input.md gives the reasons).
 */
export const CALENDAR_LIMITS = {
  /** 90 days: no round gives a reminder earlier, nor a submitter longer to resubmit. */
  maxHours: 2160,
  /** Reminders per due date. */
  maxReminderOffsets: 10,
  /** An escalation at most hourly: more often is noise to a person and churn to a workflow. */
  minEscalationCadenceHours: 1,
  /** Escalations of one overdue task before its cut-off (cut-off − due date) / cadence. */
  maxEscalationsPerTask: 200,
  /** Revision requests per nomination: each hands it back and opens two more tasks. */
  maxRevisions: 10,
} as const;

/** The keys a calendar may have: anything else is a typo the workflow would silently ignore. */
const CALENDAR_KEYS = new Set([
  'stages',
  'reminderOffsetsHours',
  'revisionWindowHours',
  'escalationCadenceHours',
  'maxRevisions',
  'resubmissionReviewHours',
]);

/** What becomes of a nomination whose stage reaches its hard cut-off with no decision. */
export function cutoffOutcome(stage: Stage): Outcome {
  // A recognized model that its unit did not propose in time keeps its district recognition.
  return stage === 'provincial_proposal' ? 'recognized_district' : 'expired';
}

/** The reminders and escalations already sent for one task, keyed by the due date they were for. */
export interface DeadlineProgress {
  dueAt: string;
  remindersSent: number[];
  overdue: boolean;
  escalations: number;
}

export type DeadlineEvent =
  | { kind: 'reminder'; at: number; offsetHours: number }
  | { kind: 'overdue'; at: number }
  | { kind: 'escalation'; at: number }
  | { kind: 'cutoff'; at: number };

/**
 * The next thing that happens to an open task if nobody acts. Reminders whose time had passed before
 * the task opened are skipped (a task opened two days before its due date gets the 24-hour reminder,
 * not a late 72-hour one); everything stops at the cut-off.
 *
 * `floor`, when given, is the moment the task was opened or last re-dated (not before `openedAt`): a
 * reminder before it is skipped, and escalations follow their cadence from the later of the due date and
 * the floor, so a task that opens, or is re-dated, already past its due date is told it is overdue once,
 * not sent every escalation it would have had since at once. Without it, the rule of workflows recorded
 * before the floor existed: reminders from `openedAt`, escalations from the due date.
 */
export function nextDeadlineEvent(
  deadline: StageDeadline,
  calendar: Pick<Calendar, 'reminderOffsetsHours' | 'escalationCadenceHours'>,
  progress: DeadlineProgress,
  openedAt: number,
  floor?: number,
): DeadlineEvent {
  const due = Date.parse(deadline.dueAt);
  const cutoff = Date.parse(deadline.cutoffAt);
  const sameDue = progress.dueAt === deadline.dueAt;
  const remindFrom = floor ?? openedAt;
  const escalateFrom = floor === undefined ? due : Math.max(due, floor);
  const candidates: DeadlineEvent[] = [{ kind: 'cutoff', at: cutoff }];
  for (const offsetHours of calendar.reminderOffsetsHours) {
    const at = due - offsetHours * HOUR_MS;
    if (at >= remindFrom && !(sameDue && progress.remindersSent.includes(offsetHours))) {
      candidates.push({ kind: 'reminder', at, offsetHours });
    }
  }
  if (!(sameDue && progress.overdue)) {
    candidates.push({ kind: 'overdue', at: due });
  } else {
    const cadence = (calendar.escalationCadenceHours ?? DEFAULT_ESCALATION_CADENCE_HOURS) * HOUR_MS;
    candidates.push({ kind: 'escalation', at: escalateFrom + (progress.escalations + 1) * cadence });
  }
  // At the cut-off itself the nomination closes; a reminder due at that moment is pointless.
  const live = candidates.filter((e) => e.kind === 'cutoff' || e.at < cutoff);
  return live.reduce((a, b) => (b.at < a.at ? b : a));
}

/** Progress after an event fired; a new due date starts afresh. */
export function advanceProgress(
  progress: DeadlineProgress,
  dueAt: string,
  event: DeadlineEvent,
): DeadlineProgress {
  const p: DeadlineProgress =
    progress.dueAt === dueAt ? progress : { dueAt, remindersSent: [], overdue: false, escalations: 0 };
  switch (event.kind) {
    case 'reminder':
      return { ...p, remindersSent: [...p.remindersSent, event.offsetHours] };
    case 'overdue':
      return { ...p, overdue: true };
    case 'escalation':
      return { ...p, escalations: p.escalations + 1 };
    default:
      return p;
  }
}

export function freshProgress(dueAt: string): DeadlineProgress {
  return { dueAt, remindersSent: [], overdue: false, escalations: 0 };
}

/** A revision's deadline is both its due date and its cut-off: a model not resubmitted in time expires. */
export function revisionDeadline(
  requestedAt: number,
  calendar: Pick<Calendar, 'revisionWindowHours'>,
): StageDeadline {
  const at = new Date(requestedAt + calendar.revisionWindowHours * HOUR_MS).toISOString();
  return { dueAt: at, cutoffAt: at };
}

/**
 * When the review window of a model resubmitted at `resubmittedAt` ends at the earliest. The submitter
 * answered within the window they were given, so the reviewers' time for the new version must not already
 * be spent: a revision requested near the stage's cut-off would otherwise come back to a task whose
 * cut-off has passed, and the nomination would expire for the reviewers' lateness, not the submitter's.
 */
export function resubmissionWindowEnd(
  resubmittedAt: number,
  calendar: Pick<Calendar, 'resubmissionReviewHours'>,
): string {
  const hours = calendar.resubmissionReviewHours ?? DEFAULT_RESUBMISSION_REVIEW_HOURS;
  return new Date(resubmittedAt + hours * HOUR_MS).toISOString();
}

/**
 * A resubmitted model's review dates: the later of its stage's own dates and the end of its review
 * window, each on its own. Stage dates further out stand; a calendar change is applied the same way, so it
 * can move such a task's dates but never back inside the window it was promised.
 */
export function resubmissionReviewDeadline(stage: StageDeadline, windowEndsAt: string): StageDeadline {
  const floor = Date.parse(windowEndsAt);
  const later = (at: string) => (Date.parse(at) >= floor ? at : windowEndsAt);
  return { dueAt: later(stage.dueAt), cutoffAt: later(stage.cutoffAt) };
}

/**
 * What is wrong with a calendar, as (field, reason) pairs an API can return: only known keys, every stage
 * present with RFC 3339 times (src/domain/time.ts), cut-off not before due date, stages in order, and its
 * numbers within CALENDAR_LIMITS. The API's CalendarDto checks the shape first; the campaign workflow's
 * validator runs this again on whatever reaches it.
 */
export function calendarProblems(c: unknown): { field: string; reason: string }[] {
  const problems: { field: string; reason: string }[] = [];
  const add = (field: string, reason: string) => problems.push({ field, reason });
  if (typeof c !== 'object' || c === null || Array.isArray(c)) {
    return [{ field: 'calendar', reason: 'must be an object' }];
  }
  const cal = c as Partial<Calendar>;
  for (const key of Object.keys(cal))
    if (!CALENDAR_KEYS.has(key)) add(`calendar.${key}`, 'is not a calendar field');
  if (cal.stages !== undefined && (typeof cal.stages !== 'object' || cal.stages === null)) {
    add('calendar.stages', 'must be an object');
  } else {
    for (const key of Object.keys(cal.stages ?? {})) {
      if (!(STAGES as readonly string[]).includes(key)) add(`calendar.stages.${key}`, 'is not a stage');
    }
  }
  const cadenceHours = cal.escalationCadenceHours ?? DEFAULT_ESCALATION_CADENCE_HOURS;
  let widestGap = { stage: '', ms: 0 };
  let previousCutoff = -Infinity;
  for (const stage of STAGES) {
    const d = (cal.stages as Partial<Record<Stage, StageDeadline>> | undefined)?.[stage];
    const base = `calendar.stages.${stage}`;
    if (!d || typeof d !== 'object') {
      add(base, 'is required');
      continue;
    }
    const due = timeMs(d.dueAt);
    const cutoff = timeMs(d.cutoffAt);
    if (due === undefined) add(`${base}.dueAt`, 'must be an RFC 3339 date-time with an offset');
    if (cutoff === undefined) add(`${base}.cutoffAt`, 'must be an RFC 3339 date-time with an offset');
    if (due === undefined || cutoff === undefined) continue;
    if (cutoff < due) add(`${base}.cutoffAt`, 'must not be before dueAt');
    if (due < previousCutoff) add(`${base}.dueAt`, 'must not be before the previous stage’s cut-off');
    if (cutoff - due > widestGap.ms) widestGap = { stage, ms: cutoff - due };
    previousCutoff = cutoff;
  }
  const { maxHours, maxReminderOffsets, minEscalationCadenceHours, maxEscalationsPerTask, maxRevisions } =
    CALENDAR_LIMITS;
  const offsets = cal.reminderOffsetsHours;
  if (
    !Array.isArray(offsets) ||
    offsets.length > maxReminderOffsets ||
    offsets.some((o) => !isHours(o, maxHours)) ||
    new Set(offsets).size !== offsets.length
  ) {
    add(
      'calendar.reminderOffsetsHours',
      `must be a list of at most ${maxReminderOffsets} different hours, each above 0 and at most ${maxHours}`,
    );
  }
  if (!isHours(cal.revisionWindowHours, maxHours))
    add('calendar.revisionWindowHours', `must be a number of hours above 0 and at most ${maxHours}`);
  if (
    cal.escalationCadenceHours !== undefined &&
    !(
      isHours(cal.escalationCadenceHours, maxHours) && cal.escalationCadenceHours >= minEscalationCadenceHours
    )
  ) {
    add(
      'calendar.escalationCadenceHours',
      `must be a number of hours from ${minEscalationCadenceHours} to ${maxHours}`,
    );
  } else if (widestGap.ms / (cadenceHours * HOUR_MS) > maxEscalationsPerTask) {
    const least = Math.ceil(widestGap.ms / HOUR_MS / maxEscalationsPerTask);
    add(
      'calendar.escalationCadenceHours',
      `must be at least ${least} hours: ${widestGap.stage}'s cut-off is ${Math.round(widestGap.ms / HOUR_MS)} hours after its due date, and an overdue task is escalated at most ${maxEscalationsPerTask} times`,
    );
  }
  if (
    cal.maxRevisions !== undefined &&
    !(Number.isInteger(cal.maxRevisions) && cal.maxRevisions >= 0 && cal.maxRevisions <= maxRevisions)
  ) {
    add('calendar.maxRevisions', `must be a whole number from 0 to ${maxRevisions}`);
  }
  const review = cal.resubmissionReviewHours;
  if (review !== undefined && !isHours(review, MAX_RESUBMISSION_REVIEW_HOURS)) {
    add(
      'calendar.resubmissionReviewHours',
      `must be a number of hours above 0 and at most ${MAX_RESUBMISSION_REVIEW_HOURS}`,
    );
  }
  return problems;
}

function isHours(v: unknown, max: number): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= max;
}
