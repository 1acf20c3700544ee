import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import type { CalendarChange, HeldStep, OpenTask } from '../src/contracts/nomination.messages';
import type { ProjectionRecord } from '../src/contracts/projection';
import { OverdueKey } from '../src/contracts/search-attributes';
import {
  advanceProgress,
  cutoffOutcome,
  type DeadlineEvent,
  HOUR_MS,
  nextDeadlineEvent,
  resubmissionReviewDeadline,
} from '../src/domain/calendar';
import { DEADLINE_FLOOR_PATCH } from './carried-state';
import { workflowNowMs } from './clock';
import type { NominationRun } from './nomination.state';
import { retryDelayMs, unrecordable } from './unrecorded';

/**
 * What happens when nobody acts in time. Nothing is ever decided by silence: the open task's people are
 * reminded, then told it is overdue, then escalated to the administrators, and at the stage's hard
 * cut-off the nomination closes without the decision it was waiting for. Per deadline:
 *
 * - **A reminder** (calendar.reminderOffsetsHours before the due date, e.g. 72 and 24 hours): if nobody has
 *   acted, the task's holder (or, unclaimed, its unit's pool) is reminded. A reminder whose time passed
 *   before the task was opened or re-dated is skipped: a late task gets no burst of stale reminders.
 * - **The due date**: if the task is still open, it is marked overdue (in the read model and the
 *   `Overdue` search attribute) and both its people and the unit's administrators are told, once.
 *   Nothing closes: the due date is the commitment, the cut-off the limit.
 * - **Every escalation cadence after it** (calendar.escalationCadenceHours, default 24): still overdue,
 *   both are told again with the hours late, so a forgotten task keeps surfacing until someone acts.
 * - **The hard cut-off**: the nomination closes, its task cancelled, as `expired` (or, for a model its
 *   unit did not propose in time, `recognized_district`: it keeps the recognition it had earned; see
 *   cutoffOutcome). A revision nobody resubmitted expires too. The administrators are told. A campaign
 *   cannot wait for one unit forever, and the cut-off is what the calendar promised every unit.
 *
 * A new due date (an administrator's extension, a calendar change) starts the reminders and escalations
 * afresh. If PostgreSQL refuses to record one of these steps for its data, the step is held and tried
 * again with backoff (retryDelayMs), never skipped; the cut-off is never postponed by a held step.
 */

/** From when the open task's reminders and escalations count (nextDeadlineEvent's `floor`). */
function floorOf(t: OpenTask): number {
  return Math.max(Date.parse(t.openedAt), t.datedAt ? Date.parse(t.datedAt) : 0);
}

/** The next thing that happens to the open task if nobody acts (see the list above). */
export function nextDeadline(run: NominationRun): DeadlineEvent {
  const current = run.task!;
  const openedAt = Date.parse(current.openedAt);
  return patched(DEADLINE_FLOOR_PATCH)
    ? nextDeadlineEvent(current, run.calendar, run.progress!, openedAt, floorOf(current))
    : nextDeadlineEvent(current, run.calendar, run.progress!, openedAt);
}

const TIMER_ACTIONS = {
  reminder: 'reminder',
  overdue: 'overdue',
  escalation: 'escalated',
} as const;

/**
 * The deadline whose time has come, as the system's step; once the cut-off has passed, a held reminder
 * or escalation is moot and the cut-off fires instead (its record resolves the held step).
 */
export function fireDue(run: NominationRun, event: DeadlineEvent, cutoffMs: number): Promise<boolean> {
  if (run.held && workflowNowMs() >= cutoffMs && event.kind !== 'cutoff') {
    run.held = null;
    event = { kind: 'cutoff', at: cutoffMs };
  }
  const due = event;
  return systemStep(run, due.kind === 'cutoff' ? 'closed_at_cutoff' : TIMER_ACTIONS[due.kind], 'timer', () =>
    fire(run, due),
  );
}

async function fire(run: NominationRun, event: DeadlineEvent): Promise<void> {
  const { content, stage } = run;
  const current = run.task!;
  // A claimed task's reminders go to the one who claimed it; an unclaimed one's to its unit's pool.
  const assignees = {
    unitId: current.assigneeUnitId,
    role: current.assigneeRole,
    userId: current.assigneeUserId ?? undefined,
  };
  const admins = { unitId: run.unitFor(current.stage), role: 'admin' as const };
  // The revision task is the submitter's, at the stage that asked for it.
  const ref = { title: content.title, stage: current.stage, revision: current.kind === 'revision' };
  if (event.kind === 'cutoff') {
    const closing = current.kind === 'revision' ? 'expired' : cutoffOutcome(current.stage);
    await run.close('closed_at_cutoff', closing, {
      actor: null,
      comment: `hard cut-off ${current.cutoffAt} passed without a decision`,
      notify: [
        {
          ...admins,
          kind: 'closed_at_cutoff',
          content: { template: 'closed_at_cutoff', params: { ...ref, outcome: closing } },
        },
      ],
    });
    return;
  }
  if (event.kind === 'reminder') {
    await run.record({
      action: 'reminder',
      actor: null,
      stageBefore: stage,
      stageAfter: stage,
      outcome: null,
      taskId: current.id,
      comment: `${event.offsetHours} hours before the due date ${current.dueAt}`,
      notify: [
        {
          ...assignees,
          kind: 'reminder',
          content: {
            template: 'task_reminder',
            params: { ...ref, hoursLeft: event.offsetHours, dueAt: current.dueAt },
          },
        },
      ],
    });
  } else {
    const first = event.kind === 'overdue';
    const lateHours = Math.round((event.at - Date.parse(current.dueAt)) / HOUR_MS);
    const late = {
      template: 'task_overdue',
      params: { ...ref, dueAt: current.dueAt, lateHours: first ? null : lateHours },
    } as const;
    await run.record({
      action: first ? 'overdue' : 'escalated',
      actor: null,
      stageBefore: stage,
      stageAfter: stage,
      outcome: null,
      taskId: current.id,
      overdue: true,
      comment: first
        ? `due date ${current.dueAt} passed; escalated`
        : `still overdue after ${lateHours} hours`,
      notify: [
        { ...assignees, kind: 'escalated', content: late },
        { ...admins, kind: 'escalated', content: late },
      ],
    });
    if (first) upsertSearchAttributes([{ key: OverdueKey, value: true }]);
  }
  run.progress = advanceProgress(run.progress!, current.dueAt, event);
}

/** Whether a signalled calendar change waits; while one is held, only a newer one counts. */
export function calendarDue(run: NominationRun): boolean {
  return run.calendarChanges.length > (run.held?.work === 'calendar' ? 1 : 0);
}

/**
 * Applies the oldest signalled calendar change, if one is due, as the system's step; null if none is.
 * A newer calendar supersedes a held one that could not be recorded: it carries every date anew.
 */
export function takeCalendarChange(run: NominationRun): Promise<boolean> | 'superseded' | null {
  const { calendarChanges } = run;
  if (run.held?.work === 'calendar' && calendarChanges.length > 1) {
    calendarChanges.shift();
    run.held = null;
    return 'superseded';
  }
  if (calendarChanges.length > 0 && (run.held?.work !== 'calendar' || workflowNowMs() >= run.held.until)) {
    const change = calendarChanges[0];
    if (run.held?.work === 'timer') run.held = null; // new dates: the timer decides anew
    return systemStep(run, 'deadline_changed', 'calendar', () => applyCalendarChange(run, change));
  }
  return null;
}

/** The campaign's calendar moved: the open review task takes its stage's new dates. */
async function applyCalendarChange(run: NominationRun, change: CalendarChange): Promise<void> {
  const current = run.task!;
  const stageDates = change.calendar.stages[current.stage];
  // A resubmitted model's review window is never pulled back by the calendar (resubmissionReviewDeadline).
  const window = current.reviewWindowEndsAt;
  const dates = window ? resubmissionReviewDeadline(stageDates, window) : stageDates;
  // A revision keeps the window it was given; an administrator's extension of this one task stands.
  if (
    current.kind !== 'review' ||
    current.extended ||
    (dates.dueAt === current.dueAt && dates.cutoffAt === current.cutoffAt)
  ) {
    run.calendar = change.calendar;
    return;
  }
  const wasOverdue = run.overdue();
  const stillOverdue = wasOverdue && dates.dueAt === current.dueAt;
  await run.record({
    action: 'deadline_changed',
    actor: null,
    stageBefore: run.stage,
    stageAfter: run.stage,
    outcome: null,
    taskId: current.id,
    comment: `calendar changed by ${change.changedBy}: due ${current.dueAt} → ${dates.dueAt}, cut-off ${current.cutoffAt} → ${dates.cutoffAt}`,
    taskDeadline: { id: current.id, ...dates },
    overdue: stillOverdue,
  });
  run.calendar = change.calendar;
  run.task = { ...current, ...dates, ...run.redated(current, dates.dueAt) };
  if (wasOverdue && !stillOverdue) upsertSearchAttributes([{ key: OverdueKey, value: false }]);
}

/** Holds the system's step that PostgreSQL refused, to try again later (see retryDelayMs). */
async function hold(
  run: NominationRun,
  action: ProjectionRecord['action'],
  work: HeldStep['work'],
  reason: string,
) {
  const attempts = run.held?.action === action ? run.held.attempts + 1 : 1;
  run.held = { action, work, attempts, until: workflowNowMs() + retryDelayMs(attempts) };
  await run.failed(action, reason, null);
}

/** Runs the system's step; a data error holds it rather than failing or looping the workflow. */
async function systemStep(
  run: NominationRun,
  action: ProjectionRecord['action'],
  work: HeldStep['work'],
  step: () => Promise<void>,
): Promise<boolean> {
  try {
    await step();
    run.held = null;
    return true;
  } catch (err) {
    const reason = unrecordable(err);
    if (reason === null) throw err;
    await hold(run, action, work, reason);
    return false;
  }
}
