import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { NominationActivities } from '../activities/nomination.activities';
import type { StepFailureActivities } from '../activities/step-failures';
import {
  advanceProgress,
  cutoffOutcome,
  DEFAULT_MAX_REVISIONS,
  type DeadlineEvent,
  type DeadlineProgress,
  freshProgress,
  HOUR_MS,
  nextDeadlineEvent,
  resubmissionReviewDeadline,
  resubmissionWindowEnd,
  revisionDeadline,
} from '../src/domain/calendar';
import { quotaRefusal } from '../src/domain/campaign';
import {
  actingLevel,
  allowedDecisions,
  assigneeRoleFor,
  type Decision,
  decisionProblem,
  type NominationStage,
  type Outcome,
  type Stage,
  transitionFor,
} from '../src/domain/nomination';
import {
  CampaignIdKey,
  NominationFieldKey,
  NominationKindKey,
  NominationStageKey,
  OverdueKey,
  UnitIdKey,
} from '../src/contracts/search-attributes';
import {
  CONTINUE_AS_NEW_PATCH,
  DEADLINE_FLOOR_PATCH,
  historyIsLong,
  RESUBMISSION_REVIEW_WINDOW_PATCH,
} from './carried-state';
import { timeMs } from '../src/domain/time';
import { workflowNow, workflowNowMs } from './clock';
import {
  type Actor,
  type AssignInput,
  assignUpdate,
  type CalendarChange,
  calendarChangedSignal,
  type CarriedNomination,
  type DecidedTask,
  type DecisionInput,
  type DecisionResult,
  decisionKey,
  decideUpdate,
  type ExtendDeadlineInput,
  extendDeadlineUpdate,
  type HeldStep,
  type NominationContent,
  type NominationInput,
  type NominationState,
  type OpenTask,
  registrationUpdate,
  type ResubmitInput,
  resubmitUpdate,
  stateQuery,
  type WithdrawInput,
  withdrawUpdate,
} from '../src/contracts/nomination.messages';
import { BUSY_MESSAGE, REFUSAL } from '../src/contracts/failures';
import type { Notice, ProjectionRecord } from '../src/contracts/projection';
import { retryDelayMs, unrecordable } from './unrecorded';

const { recordProjection } = proxyActivities<NominationActivities>({
  startToCloseTimeout: '30 seconds',
  // A database outage must delay the projection, never lose it: retry without limit, backing off.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const { recordStepFailure } = proxyActivities<StepFailureActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export interface NominationResult {
  nominationId: string;
  outcome: Outcome;
}

/** A request from a person that the main loop applies, one at a time and in arrival order. */
type Pending =
  | { kind: 'decision'; input: DecisionInput }
  | { kind: 'withdraw'; input: WithdrawInput }
  | { kind: 'resubmit'; input: ResubmitInput }
  | { kind: 'assign'; input: AssignInput }
  | { kind: 'extend'; input: ExtendDeadlineInput };

/**
 * One nomination's way through the round (docs/design.md §1). The workflow is the authority on its stage;
 * every change it makes is written to the read model and the audit log by one idempotent activity
 * call, numbered by `seq` so a retried call changes nothing twice. Nothing is ever decided by silence:
 * a task nobody acts on is reminded, then escalated, and at its stage's hard cut-off the nomination
 * closes without the decision it was waiting for.
 */
export async function nominationWorkflow(input: NominationInput): Promise<NominationResult> {
  const { workflowId } = workflowInfo();
  // A run continued as new goes on from where the previous one stopped (carried-state.ts).
  const { carried } = input;
  let calendar = input.calendar;
  const content: NominationContent = carried?.content ?? {
    title: input.title,
    description: input.description,
    field: input.field,
    kind: input.kind,
    nomineeName: input.nomineeName,
  };
  let seq = carried?.seq ?? 0;
  // Widened on purpose: the handlers below change it, which TypeScript's narrowing cannot see.
  let stage = (carried?.stage ?? 'district_registration') as NominationStage;
  let outcome: Outcome | null = null;
  let task: OpenTask | null = carried?.task ?? null;
  let progress: DeadlineProgress | null = carried?.progress ?? null;
  let decisions = carried?.decisions ?? 0;
  let revisions = carried?.revisions ?? 0;
  let registered = carried !== undefined;
  let pending: Pending | undefined;
  const calendarChanges: CalendarChange[] = [...(carried?.calendarChanges ?? [])];
  const decided = new Map<string, DecidedTask>(carried?.decided);
  // Answers to withdraw/resubmit, by a per-request token, so each Update returns its own outcome.
  const answered = new Set<Pending>();
  /** Requests whose step PostgreSQL refused for its data, with its reason: answered 422, nothing changed. */
  const refused = new Map<Pending, string>();
  /** The system's own step refused for its data, waiting to be tried again (see retryDelayMs). */
  let held = (carried?.held ?? null) as HeldStep | null;
  let registrationRefused = null as string | null;

  const maxRevisions = () => calendar.maxRevisions ?? DEFAULT_MAX_REVISIONS;
  const unitFor = (s: Stage) =>
    actingLevel(s) === 'province' ? input.provinceUnitId : (input.districtUnitId ?? input.unitId);
  const reviewTask = (s: Stage): OpenTask => ({
    id: uuid4(),
    kind: 'review',
    stage: s,
    allowedDecisions: allowedDecisions(s),
    assigneeRole: assigneeRoleFor(s),
    assigneeUnitId: unitFor(s),
    openedAt: workflowNow(),
    ...calendar.stages[s],
  });
  const revisionTask = (s: Stage): OpenTask => ({
    id: uuid4(),
    kind: 'revision',
    stage: s,
    allowedDecisions: [],
    assigneeRole: 'submitter',
    assigneeUnitId: input.unitId,
    openedAt: workflowNow(),
    ...revisionDeadline(workflowNowMs(), calendar),
  });
  /** A model resubmitted in time gets a review window of its own, also past its stage's dates. */
  const resubmittedReviewTask = (s: Stage): OpenTask => {
    const reviewWindowEndsAt = resubmissionWindowEnd(workflowNowMs(), calendar);
    const t = reviewTask(s);
    return { ...t, ...resubmissionReviewDeadline(t, reviewWindowEndsAt), reviewWindowEndsAt };
  };
  const open = (t: OpenTask) => {
    task = t;
    progress = freshProgress(t.dueAt);
  };
  const overdue = () => progress?.overdue === true && progress.dueAt === task?.dueAt;
  /**
   * A new due date starts its reminders and escalations afresh (advanceProgress), so they count from now;
   * the same due date keeps its progress, and its floor, as they were.
   */
  const redated = (current: OpenTask, dueAt: string): Pick<OpenTask, 'datedAt'> =>
    dueAt !== current.dueAt && patched(DEADLINE_FLOOR_PATCH) ? { datedAt: workflowNow() } : {};
  /** From when the open task's reminders and escalations count (nextDeadlineEvent's `floor`). */
  const floorOf = (t: OpenTask) => Math.max(Date.parse(t.openedAt), t.datedAt ? Date.parse(t.datedAt) : 0);

  /** A step refused for its data wrote nothing: its number is given back, so the audit `seq` has no gap. */
  const record = async (r: Omit<ProjectionRecord, 'workflowId' | 'nominationId' | 'seq' | 'occurredAt'>) => {
    try {
      return await recordProjection({
        ...r,
        workflowId,
        nominationId: input.nominationId,
        seq: ++seq,
        occurredAt: workflowNow(),
        ...(held && held.action !== r.action ? { stillHeld: held.action } : {}),
      });
    } catch (err) {
      seq--;
      throw err;
    }
  };
  const failed = (action: string, reason: string, actor: Actor | null) =>
    recordStepFailure({
      workflowId,
      nominationId: input.nominationId,
      action,
      reason,
      actorUserId: actor?.userId ?? null,
      occurredAt: workflowNow(),
    });

  const state = (): NominationState => ({
    nominationId: input.nominationId,
    stage,
    outcome,
    task,
    decisions,
    revisions,
    overdue: overdue(),
    deadline: progress,
    content,
  });
  const view = () => ({ stage, task, pending, decided, revisions, maxRevisions: maxRevisions() });

  setHandler(stateQuery, state);
  setHandler(registrationUpdate, async () => {
    await condition(() => registered || registrationRefused !== null);
    if (registrationRefused !== null) throw notRecorded('registration', registrationRefused);
    return state();
  });
  setHandler(
    decideUpdate,
    async (d: DecisionInput): Promise<DecisionResult> => {
      // The validator let a decided task through only for the same person's same decision: a retry
      // (after a lost answer or a crash) gets the first answer, and nothing is applied twice.
      const earlier = decided.get(d.taskId);
      if (earlier) return earlier.result;
      const request: Pending = { kind: 'decision', input: d };
      pending = request;
      await condition(() => decided.has(d.taskId) || refused.has(request) || stage === 'closed');
      const reason = refused.get(request);
      if (reason !== undefined) throw notRecorded('decision', reason);
      return decided.get(d.taskId)?.result ?? closedMeanwhile();
    },
    { validator: (d) => validateDecision(d, view()) },
  );
  /** Hands a request to the main loop and answers with the state once it has been applied. */
  const apply = async (request: Pending): Promise<NominationState> => {
    pending = request;
    await condition(() => answered.has(request) || refused.has(request) || stage === 'closed');
    const reason = refused.get(request);
    if (reason !== undefined) throw notRecorded(request.kind, reason);
    return answered.has(request) ? state() : closedMeanwhile();
  };
  setHandler(withdrawUpdate, (w) => apply({ kind: 'withdraw', input: w }), {
    validator: (w) => validateWithdrawal(w, input, view()),
  });
  setHandler(resubmitUpdate, (r) => apply({ kind: 'resubmit', input: r }), {
    validator: (r) => validateResubmission(r, input, view()),
  });
  setHandler(assignUpdate, (a) => apply({ kind: 'assign', input: a }), {
    validator: (a) => validateAssign(a, view()),
  });
  setHandler(extendDeadlineUpdate, (e) => apply({ kind: 'extend', input: e }), {
    validator: (e) => validateExtension(e, view(), workflowNowMs()),
  });
  setHandler(calendarChangedSignal, (change) => void calendarChanges.push(change));

  // Published by the workflow itself, so every start path (API, import, tests) lists the same way.
  upsertSearchAttributes([
    { key: NominationStageKey, value: stage },
    { key: CampaignIdKey, value: input.campaignId },
    { key: UnitIdKey, value: input.unitId },
    { key: NominationFieldKey, value: input.field },
    { key: NominationKindKey, value: input.kind },
    { key: OverdueKey, value: overdue() },
  ]);

  // The first task is open from the start: a decision that arrives while it is being projected waits
  // in the loop below, after the registration, so history and read model keep the same order.
  if (!carried) {
    open(reviewTask('district_registration'));
    try {
      await record({
        action: 'registered',
        actor: input.submittedBy,
        stageBefore: null,
        stageAfter: stage,
        outcome: null,
        nomination: input,
        openTask: task,
      });
    } catch (err) {
      // Nothing was written, so there is no nomination to keep: the submitter is told why, and the run
      // fails, which lets the same request (once its data is fixed) start the nomination afresh.
      const reason = unrecordable(err);
      if (reason === null) throw err;
      registrationRefused = reason;
      await condition(allHandlersFinished);
      throw notRecorded('registration', reason);
    }
  }
  registered = true;

  /** Closes the nomination: one audit event; the open task completed by a decision, else cancelled. */
  const close = async (
    action: ProjectionRecord['action'],
    closing: Outcome,
    extra: Partial<ProjectionRecord> & { actor: Actor | null },
  ) => {
    const before = stage;
    const current = task!;
    await record({
      action,
      stageBefore: before,
      stageAfter: 'closed',
      outcome: closing,
      taskId: current.id,
      closeTask: { id: current.id, status: extra.decision ? 'completed' : 'cancelled' },
      overdue: false,
      ...extra,
    });
    stage = 'closed';
    outcome = closing;
    task = null;
    progress = null;
  };

  const applyDecision = async (d: DecisionInput) => {
    const decision = d.decision as Decision; // the validator has checked it against the stage
    const current = task!;
    const transition = transitionFor(current.stage, decision)!;
    const common = {
      actor: d.actor,
      onBehalfOf: d.onBehalfOf ?? null,
      decision,
      comment: d.comment ?? null,
      score: d.score ?? null,
      taskId: current.id,
    };
    if (transition.kind === 'close') {
      await close('decided', transition.outcome, common);
    } else {
      const before = stage;
      const next = transition.kind === 'advance' ? reviewTask(transition.to) : revisionTask(current.stage);
      const nextRevisions = transition.kind === 'revision' ? revisions + 1 : revisions;
      const notify: Notice[] =
        transition.kind === 'revision'
          ? [
              notice(
                input.unitId,
                'submitter',
                'decided',
                `Yêu cầu bổ sung, chỉnh sửa mô hình "${content.title}": ${d.comment}`,
              ),
            ]
          : [];
      await record({
        ...common,
        action: 'decided',
        stageBefore: before,
        stageAfter: next.stage,
        outcome: null,
        closeTask: { id: current.id, status: 'completed' },
        openTask: next,
        overdue: false,
        revisions: nextRevisions,
        notify,
      });
      stage = next.stage;
      revisions = nextRevisions;
      open(next);
    }
    decisions++;
    decided.set(d.taskId, {
      key: decisionKey(d),
      result: {
        nominationId: input.nominationId,
        taskId: current.id,
        decision,
        stage,
        outcome,
        nextTaskId: task?.id ?? null,
      },
    });
  };

  const applyResubmission = async (r: ResubmitInput) => {
    const current = task!;
    const next = patched(RESUBMISSION_REVIEW_WINDOW_PATCH)
      ? resubmittedReviewTask(current.stage)
      : reviewTask(current.stage);
    await record({
      action: 'resubmitted',
      actor: r.actor,
      stageBefore: stage,
      stageAfter: stage,
      outcome: null,
      taskId: current.id,
      comment: r.comment ?? null,
      changes: r.changes,
      closeTask: { id: current.id, status: 'completed' },
      openTask: next,
      overdue: false,
    });
    Object.assign(content, r.changes);
    open(next);
  };

  /** An administrator's new dates for the open task: the reminders start again for the new due date. */
  const applyExtension = async (e: ExtendDeadlineInput) => {
    const current = task!;
    const wasOverdue = overdue();
    const stillOverdue = wasOverdue && e.dueAt === current.dueAt;
    await record({
      action: 'deadline_extended',
      actor: e.actor,
      stageBefore: stage,
      stageAfter: stage,
      outcome: null,
      taskId: current.id,
      comment: `${e.reason} (due ${current.dueAt} → ${e.dueAt}, cut-off ${current.cutoffAt} → ${e.cutoffAt})`,
      taskDeadline: { id: current.id, dueAt: e.dueAt, cutoffAt: e.cutoffAt },
      overdue: stillOverdue,
      notify: [
        {
          ...notice(current.assigneeUnitId, current.assigneeRole, 'deadline_extended', ''),
          userId: current.assigneeUserId ?? undefined,
          message: `"${content.title}" (${current.stage}): gia hạn đến ${e.dueAt}, hạn chót ${e.cutoffAt}. ${e.reason}`,
        },
      ],
    });
    task = { ...current, dueAt: e.dueAt, cutoffAt: e.cutoffAt, extended: true, ...redated(current, e.dueAt) };
    if (wasOverdue && !stillOverdue) upsertSearchAttributes([{ key: OverdueKey, value: false }]);
  };

  /** A task changes hands; the new holder of a reassigned task is told. A repeated claim changes nothing. */
  const applyAssign = async (a: AssignInput) => {
    const current = task!;
    const holder = a.kind === 'claim' ? a.actor : a.kind === 'reassign' ? a.assignee! : null;
    if ((holder?.userId ?? null) === (current.assigneeUserId ?? null)) return;
    const notify: Notice[] =
      holder && a.kind === 'reassign'
        ? [
            {
              ...notice(holder.unitId, holder.role, 'reassigned', ''),
              userId: holder.userId,
              message: `${a.actor.displayName} đã giao cho bạn xử lý "${content.title}" (${current.stage}), hạn ${current.dueAt}.`,
            },
          ]
        : [];
    await record({
      action: ASSIGN_ACTIONS[a.kind],
      actor: a.actor,
      stageBefore: stage,
      stageAfter: stage,
      outcome: null,
      taskId: current.id,
      comment: a.reason ?? (holder && a.kind === 'reassign' ? `to ${holder.displayName}` : null),
      taskAssignee: { id: current.id, userId: holder?.userId ?? null },
      notify,
    });
    task = { ...current, assigneeUserId: holder?.userId ?? null, assigneeName: holder?.displayName ?? null };
  };

  /** What happens when nobody acts in time: remind, then escalate, and at the cut-off close. */
  const fire = async (event: DeadlineEvent) => {
    const current = task!;
    // A claimed task's reminders go to the one who claimed it; an unclaimed one's to its unit's pool.
    const assignees = {
      ...notice(current.assigneeUnitId, current.assigneeRole, 'reminder', ''),
      userId: current.assigneeUserId ?? undefined,
    };
    const admins = notice(unitFor(current.stage), 'admin', 'escalated', '');
    const what = `"${content.title}" (${current.kind === 'revision' ? 'bổ sung, chỉnh sửa' : current.stage})`;
    if (event.kind === 'cutoff') {
      const closing = current.kind === 'revision' ? 'expired' : cutoffOutcome(current.stage);
      await close('closed_at_cutoff', closing, {
        actor: null,
        comment: `hard cut-off ${current.cutoffAt} passed without a decision`,
        notify: [
          { ...admins, kind: 'closed_at_cutoff', message: `${what}: quá hạn chót, đã đóng (${closing}).` },
        ],
      });
      return;
    }
    if (event.kind === 'reminder') {
      await record({
        action: 'reminder',
        actor: null,
        stageBefore: stage,
        stageAfter: stage,
        outcome: null,
        taskId: current.id,
        comment: `${event.offsetHours} hours before the due date ${current.dueAt}`,
        notify: [
          { ...assignees, message: `${what}: còn ${event.offsetHours} giờ đến hạn ${current.dueAt}.` },
        ],
      });
    } else {
      const first = event.kind === 'overdue';
      const lateHours = Math.round((event.at - Date.parse(current.dueAt)) / HOUR_MS);
      const message = `${what}: quá hạn ${current.dueAt}${first ? '' : ` (${lateHours} giờ)`}.`;
      await record({
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
          { ...assignees, kind: 'escalated', message },
          { ...admins, message },
        ],
      });
      if (first) upsertSearchAttributes([{ key: OverdueKey, value: true }]);
    }
    progress = advanceProgress(progress!, current.dueAt, event);
  };

  /** The campaign's calendar moved: the open review task takes its stage's new dates. */
  const applyCalendarChange = async (change: CalendarChange) => {
    const current = task!;
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
      calendar = change.calendar;
      return;
    }
    const wasOverdue = overdue();
    const stillOverdue = wasOverdue && dates.dueAt === current.dueAt;
    await record({
      action: 'deadline_changed',
      actor: null,
      stageBefore: stage,
      stageAfter: stage,
      outcome: null,
      taskId: current.id,
      comment: `calendar changed by ${change.changedBy}: due ${current.dueAt} → ${dates.dueAt}, cut-off ${current.cutoffAt} → ${dates.cutoffAt}`,
      taskDeadline: { id: current.id, ...dates },
      overdue: stillOverdue,
    });
    calendar = change.calendar;
    task = { ...current, ...dates, ...redated(current, dates.dueAt) };
    if (wasOverdue && !stillOverdue) upsertSearchAttributes([{ key: OverdueKey, value: false }]);
  };

  /** Holds the system's step that PostgreSQL refused, to try again later (see retryDelayMs). */
  const hold = async (action: ProjectionRecord['action'], work: HeldStep['work'], reason: string) => {
    const attempts = held?.action === action ? held.attempts + 1 : 1;
    held = { action, work, attempts, until: workflowNowMs() + retryDelayMs(attempts) };
    await failed(action, reason, null);
  };
  /** Runs the system's step; a data error holds it rather than failing or looping the workflow. */
  const systemStep = async (
    action: ProjectionRecord['action'],
    work: HeldStep['work'],
    step: () => Promise<void>,
  ) => {
    try {
      await step();
      held = null;
      return true;
    } catch (err) {
      const reason = unrecordable(err);
      if (reason === null) throw err;
      await hold(action, work, reason);
      return false;
    }
  };

  /**
   * Hands the nomination to a new run before the history grows long, between steps: when no request is
   * being applied and every Update has had its answer. A request that arrives meanwhile is applied by
   * this run first; signalled calendar changes travel along.
   */
  const continueIfLong = async (): Promise<void> => {
    if (stage === 'closed' || !patched(CONTINUE_AS_NEW_PATCH)) return;
    if (!historyIsLong(workflowInfo(), input.maxHistoryEvents)) return;
    await condition(() => pending !== undefined || allHandlersFinished());
    if (pending !== undefined || !allHandlersFinished()) return;
    const next: CarriedNomination = {
      seq,
      stage,
      task,
      progress,
      decisions,
      revisions,
      content,
      decided: [...decided],
      calendarChanges,
      held,
    };
    await continueAsNew<typeof nominationWorkflow>({ ...input, calendar, carried: next });
  };

  while (stage !== 'closed') {
    const current = task!;
    const openedAt = Date.parse(current.openedAt);
    let event = patched(DEADLINE_FLOOR_PATCH)
      ? nextDeadlineEvent(current, calendar, progress!, openedAt, floorOf(current))
      : nextDeadlineEvent(current, calendar, progress!, openedAt);
    const cutoffMs = Date.parse(current.cutoffAt);
    // A held step is tried again at its time, but the cut-off is never postponed by it.
    const wakeAt = held ? Math.min(held.until, cutoffMs) : event.at;
    const waitMs = wakeAt - workflowNowMs();
    // While a calendar change is held, only a newer one wakes the loop; anything else waits its turn.
    const calendarDue = () => calendarChanges.length > (held?.work === 'calendar' ? 1 : 0);
    const woken = () => pending !== undefined || calendarDue();
    const acted = waitMs > 0 ? await condition(woken, waitMs) : woken();
    if (held?.work === 'calendar' && calendarChanges.length > 1) {
      // A newer calendar supersedes the one that could not be recorded: it carries every date anew.
      calendarChanges.shift();
      held = null;
      continue;
    }
    if (calendarChanges.length > 0 && (held?.work !== 'calendar' || workflowNowMs() >= held.until)) {
      const change = calendarChanges[0];
      if (held?.work === 'timer') held = null; // new dates: the timer decides anew
      if (await systemStep('deadline_changed', 'calendar', () => applyCalendarChange(change))) {
        calendarChanges.shift();
      }
      continue;
    }
    if (acted && pending !== undefined) {
      const request = pending;
      // The request re-dates or replaces the task, so a held reminder may be moot: the timer decides anew.
      if (held?.work === 'timer') held = null;
      try {
        if (request.kind === 'decision') await applyDecision(request.input);
        else if (request.kind === 'resubmit') await applyResubmission(request.input);
        else if (request.kind === 'assign') await applyAssign(request.input);
        else if (request.kind === 'extend') await applyExtension(request.input);
        else {
          const action = request.input.cancel ? 'cancelled' : 'withdrawn';
          await close(action, 'withdrawn', { actor: request.input.actor, comment: request.input.reason });
        }
        answered.add(request);
      } catch (err) {
        // The person is answered 422 with the reason; the nomination keeps its state and its timers.
        const reason = unrecordable(err);
        if (reason === null) throw err;
        await failed(REQUEST_ACTIONS[request.kind], reason, request.input.actor);
        refused.set(request, reason);
      }
      pending = undefined;
    } else if (workflowNowMs() >= wakeAt) {
      if (held && workflowNowMs() >= cutoffMs && event.kind !== 'cutoff') {
        // The held step is moot once the task closes: the cut-off's record resolves it.
        held = null;
        event = { kind: 'cutoff', at: cutoffMs };
      }
      await systemStep(
        event.kind === 'cutoff' ? 'closed_at_cutoff' : TIMER_ACTIONS[event.kind],
        'timer',
        () => fire(event),
      );
    }
    upsertSearchAttributes([{ key: NominationStageKey, value: stage }]);
    log.info('nomination step', { stage, outcome, seq });
    await continueIfLong();
  }

  // Let the last Update return its answer before the workflow completes.
  await condition(allHandlersFinished);
  return { nominationId: input.nominationId, outcome: outcome! };
}

/**
 * A request accepted by its validator can still lose the race against a timer that closes the
 * nomination (the cut-off) in the same moment: it is answered with a conflict, never applied.
 */
function closedMeanwhile(): never {
  throw refuse(REFUSAL.conflict, 'the nomination closed before this request could be applied');
}

const REQUEST_ACTIONS = {
  decision: 'decided',
  withdraw: 'withdrawn',
  resubmit: 'resubmitted',
  assign: 'claimed',
  extend: 'deadline_extended',
} as const satisfies Record<Pending['kind'], ProjectionRecord['action']>;

const TIMER_ACTIONS = {
  reminder: 'reminder',
  overdue: 'overdue',
  escalation: 'escalated',
} as const;

function notRecorded(what: string, reason: string): ApplicationFailure {
  return refuse(REFUSAL.unrecorded, `the ${what} could not be recorded: ${reason}`);
}

function notice(unitId: string, role: Notice['role'], kind: Notice['kind'], message: string): Notice {
  return { unitId, role, kind, message };
}

interface View {
  stage: NominationStage;
  task: OpenTask | null;
  pending?: Pending;
  decided: Map<string, DecidedTask>;
  revisions: number;
  maxRevisions: number;
}

/** Checks shared by every request a person makes: the nomination is open and nothing else is being applied. */
function assertOpen(v: View): OpenTask {
  if (v.stage === 'closed' || !v.task) throw refuse(REFUSAL.conflict, 'the nomination is closed');
  if (v.pending) throw refuse(REFUSAL.conflict, BUSY_MESSAGE);
  return v.task;
}

/** Refuses, before it reaches history, any decision the workflow cannot accept right now. */
function validateDecision(d: DecisionInput, v: View): void {
  const earlier = v.decided.get(d.taskId);
  if (earlier?.key === decisionKey(d)) return; // a retry: answered with the first answer
  if (earlier) throw refuse(REFUSAL.conflict, 'this task has already been decided');
  const task = assertOpen(v);
  if (task.id !== d.taskId) throw refuse(REFUSAL.conflict, 'this task is not open');
  if (task.kind === 'revision') {
    throw refuse(REFUSAL.conflict, 'the nomination is waiting for its submitter to revise it');
  }
  if (!(d.actor.role === 'admin' || d.actor.role === task.assigneeRole)) {
    throw refuse(REFUSAL.forbidden, `only a ${task.assigneeRole} or an admin may decide this task`);
  }
  // Administrators act across their subtree (the API checks it); everyone else only in the task's unit.
  if (d.actor.role !== 'admin' && d.actor.unitId !== task.assigneeUnitId) {
    throw refuse(REFUSAL.forbidden, `only a ${task.assigneeRole} of the task's unit may decide this task`);
  }
  const holder = task.assigneeUserId;
  if (holder && d.actor.role !== 'admin' && d.actor.userId !== holder && d.onBehalfOf?.userId !== holder) {
    throw refuse(REFUSAL.conflict, `the task is claimed by ${task.assigneeName}`);
  }
  const problem = decisionProblem(task.stage, d);
  if (problem) throw refuse(REFUSAL.invalid, problem);
  if (transitionFor(task.stage, d.decision)?.kind === 'revision' && v.revisions >= v.maxRevisions) {
    throw refuse(REFUSAL.invalid, `the revision limit (${v.maxRevisions}) has been reached`);
  }
  const overQuota = d.decision === 'propose' && d.quota && quotaRefusal(d.quota.quotas, d.quota.count);
  if (overQuota) throw refuse(REFUSAL.conflict, `quota reached: ${overQuota}`);
}

/** The submitting unit (its submitters) or an administrator may withdraw, with a reason. */
function validateWithdrawal(w: WithdrawInput, input: NominationInput, v: View): void {
  // Who may ask comes first: a caller who may not act learns nothing about the nomination's state.
  if (w.cancel && w.actor.role !== 'admin') {
    throw refuse(REFUSAL.forbidden, 'only an admin may cancel a nomination');
  }
  if (!mayActForUnit(w.actor, input)) {
    throw refuse(REFUSAL.forbidden, 'only the submitting unit or an admin may withdraw this nomination');
  }
  assertOpen(v);
  if (!w.reason?.trim()) throw refuse(REFUSAL.invalid, 'reason is required to withdraw');
}

function validateResubmission(r: ResubmitInput, input: NominationInput, v: View): void {
  if (!mayActForUnit(r.actor, input)) {
    throw refuse(REFUSAL.forbidden, 'only the submitting unit or an admin may resubmit this nomination');
  }
  const task = assertOpen(v);
  if (task.kind !== 'revision') throw refuse(REFUSAL.conflict, 'no revision has been requested');
}

/** New dates must be real, in order, still ahead, and not cut the task's time short. */
function validateExtension(e: ExtendDeadlineInput, v: View, now: number): void {
  if (e.actor.role !== 'admin') throw refuse(REFUSAL.forbidden, 'only an admin may extend a deadline');
  const task = assertOpen(v);
  // The API's own parser: what it accepts this accepts, and a history that reaches here otherwise is refused.
  const due = timeMs(e.dueAt);
  const cutoff = timeMs(e.cutoffAt);
  if (due === undefined || cutoff === undefined) {
    throw refuse(REFUSAL.invalid, 'dueAt and cutoffAt must be RFC 3339 date-times with an offset');
  }
  if (cutoff < due) throw refuse(REFUSAL.invalid, 'cutoffAt must not be before dueAt');
  if (cutoff <= now) throw refuse(REFUSAL.invalid, 'cutoffAt must be in the future');
  if (cutoff < Date.parse(task.cutoffAt) || due < Date.parse(task.dueAt)) {
    throw refuse(
      REFUSAL.invalid,
      `an extension cannot move the task's dates earlier (due ${task.dueAt}, cut-off ${task.cutoffAt})`,
    );
  }
  if (!e.reason?.trim()) throw refuse(REFUSAL.invalid, 'reason is required to extend a deadline');
}

const ASSIGN_ACTIONS = {
  claim: 'claimed',
  unclaim: 'unclaimed',
  reassign: 'reassigned',
  release: 'released',
} as const satisfies Record<AssignInput['kind'], ProjectionRecord['action']>;

/** Claims race safely: the first is applied, a second meanwhile or after is refused with who holds it. */
function validateAssign(a: AssignInput, v: View): void {
  const task = assertOpen(v);
  if (task.id !== a.taskId) throw refuse(REFUSAL.conflict, 'this task is not open');
  const holder = task.assigneeUserId ?? null;
  switch (a.kind) {
    case 'claim':
      if (a.actor.role !== task.assigneeRole || a.actor.unitId !== task.assigneeUnitId) {
        throw refuse(REFUSAL.forbidden, `only a ${task.assigneeRole} of the task's unit may claim it`);
      }
      if (holder && holder !== a.actor.userId) {
        throw refuse(REFUSAL.conflict, `the task is already claimed by ${task.assigneeName}`);
      }
      return;
    case 'unclaim':
      if (holder !== a.actor.userId && a.actor.role !== 'admin') {
        throw refuse(REFUSAL.forbidden, 'only the reviewer who claimed it or an admin may unclaim this task');
      }
      if (!holder) throw refuse(REFUSAL.conflict, 'the task is not claimed');
      return;
    case 'reassign':
      if (a.actor.role !== 'admin') throw refuse(REFUSAL.forbidden, 'only an admin may reassign a task');
      if (a.assignee?.role !== task.assigneeRole || a.assignee.unitId !== task.assigneeUnitId) {
        throw refuse(REFUSAL.invalid, `the new assignee must be a ${task.assigneeRole} of the task's unit`);
      }
      return;
    case 'release':
      if (a.actor.role !== 'admin') throw refuse(REFUSAL.forbidden, 'only an admin may release a task');
      if (!holder) throw refuse(REFUSAL.conflict, 'the task is not claimed');
      return;
  }
}

function mayActForUnit(actor: Actor, input: NominationInput): boolean {
  return actor.role === 'admin' || (actor.role === 'submitter' && actor.unitId === input.unitId);
}

function refuse(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}
