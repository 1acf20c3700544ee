import { condition, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import {
  type AssignInput,
  assignUpdate,
  calendarChangedSignal,
  type DecisionInput,
  type DecisionResult,
  decideUpdate,
  decisionKey,
  type ExtendDeadlineInput,
  extendDeadlineUpdate,
  type NominationState,
  registrationUpdate,
  type ResubmitInput,
  resubmitUpdate,
  stateQuery,
  withdrawUpdate,
} from '../src/contracts/nomination.messages';
import type { Notice, ProjectionRecord } from '../src/contracts/projection';
import { OverdueKey } from '../src/contracts/search-attributes';
import { type Decision, transitionFor } from '../src/domain/nomination';
import { RESUBMISSION_REVIEW_WINDOW_PATCH } from './carried-state';
import { workflowNowMs } from './clock';
import { notice, type NominationRun, type Pending } from './nomination.state';
import {
  validateAssign,
  validateDecision,
  validateExtension,
  validateResubmission,
  validateWithdrawal,
} from './nomination.validators';
import { closedMeanwhile, notRecorded } from './refusals';

/**
 * People's requests to a nomination. Each Update's validator (nomination.validators.ts) refuses what
 * cannot be accepted now; its handler hands the request to the main loop as `pending` and answers once
 * the loop has applied it (one request at a time, in arrival order), refused it for its data, or the
 * nomination closed meanwhile. The apply* functions are what the main loop does with each request.
 */
export function registerHandlers(run: NominationRun): void {
  const { input, decided, answered, refused } = run;
  setHandler(stateQuery, () => run.state());
  setHandler(registrationUpdate, async () => {
    await condition(() => run.registered || run.registrationRefused !== null);
    if (run.registrationRefused !== null) throw notRecorded('registration', run.registrationRefused);
    return run.state();
  });
  setHandler(
    decideUpdate,
    async (d: DecisionInput): Promise<DecisionResult> => {
      // The validator let a decided task through only for the same person's same decision: a retry
      // (after a lost answer or a crash) gets the first answer, and nothing is applied twice.
      const earlier = decided.get(d.taskId);
      if (earlier) return earlier.result;
      const request: Pending = { kind: 'decision', input: d };
      run.pending = request;
      await condition(() => decided.has(d.taskId) || refused.has(request) || run.stage === 'closed');
      const reason = refused.get(request);
      if (reason !== undefined) throw notRecorded('decision', reason);
      return decided.get(d.taskId)?.result ?? closedMeanwhile();
    },
    { validator: (d) => validateDecision(d, run.view()) },
  );
  /** Hands a request to the main loop and answers with the state once it has been applied. */
  const apply = async (request: Pending): Promise<NominationState> => {
    run.pending = request;
    await condition(() => answered.has(request) || refused.has(request) || run.stage === 'closed');
    const reason = refused.get(request);
    if (reason !== undefined) throw notRecorded(request.kind, reason);
    return answered.has(request) ? run.state() : closedMeanwhile();
  };
  setHandler(withdrawUpdate, (w) => apply({ kind: 'withdraw', input: w }), {
    validator: (w) => validateWithdrawal(w, input, run.view()),
  });
  setHandler(resubmitUpdate, (r) => apply({ kind: 'resubmit', input: r }), {
    validator: (r) => validateResubmission(r, input, run.view()),
  });
  setHandler(assignUpdate, (a) => apply({ kind: 'assign', input: a }), {
    validator: (a) => validateAssign(a, run.view()),
  });
  setHandler(extendDeadlineUpdate, (e) => apply({ kind: 'extend', input: e }), {
    validator: (e) => validateExtension(e, run.view(), workflowNowMs()),
  });
  setHandler(calendarChangedSignal, (change) => void run.calendarChanges.push(change));
}

/** Applies the pending request (returning the step's own promise, so the main loop waits on just that). */
export function applyRequest(run: NominationRun, request: Pending): Promise<void> {
  if (request.kind === 'decision') return applyDecision(run, request.input);
  else if (request.kind === 'resubmit') return applyResubmission(run, request.input);
  else if (request.kind === 'assign') return applyAssign(run, request.input);
  else if (request.kind === 'extend') return applyExtension(run, request.input);
  else {
    const action = request.input.cancel ? 'cancelled' : 'withdrawn';
    return run.close(action, 'withdrawn', { actor: request.input.actor, comment: request.input.reason });
  }
}

/** The audit action a refused request is put on the stuck list under. */
export const REQUEST_ACTIONS = {
  decision: 'decided',
  withdraw: 'withdrawn',
  resubmit: 'resubmitted',
  assign: 'claimed',
  extend: 'deadline_extended',
} as const satisfies Record<Pending['kind'], ProjectionRecord['action']>;

async function applyDecision(run: NominationRun, d: DecisionInput): Promise<void> {
  const { input, content } = run;
  const decision = d.decision as Decision; // the validator has checked it against the stage
  const current = run.task!;
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
    await run.close('decided', transition.outcome, common);
  } else {
    const before = run.stage;
    const next =
      transition.kind === 'advance' ? run.reviewTask(transition.to) : run.revisionTask(current.stage);
    const nextRevisions = transition.kind === 'revision' ? run.revisions + 1 : run.revisions;
    const notify: Notice[] =
      transition.kind === 'revision'
        ? [
            notice(input.unitId, 'submitter', 'decided', {
              template: 'revision_requested',
              params: { title: content.title, comment: d.comment ?? '' },
            }),
          ]
        : [];
    await run.record({
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
    run.stage = next.stage;
    run.revisions = nextRevisions;
    run.open(next);
  }
  run.decisions++;
  run.decided.set(d.taskId, {
    key: decisionKey(d),
    result: {
      nominationId: input.nominationId,
      taskId: current.id,
      decision,
      stage: run.stage,
      outcome: run.outcome,
      nextTaskId: run.task?.id ?? null,
    },
  });
}

async function applyResubmission(run: NominationRun, r: ResubmitInput): Promise<void> {
  const current = run.task!;
  const next = patched(RESUBMISSION_REVIEW_WINDOW_PATCH)
    ? run.resubmittedReviewTask(current.stage)
    : run.reviewTask(current.stage);
  await run.record({
    action: 'resubmitted',
    actor: r.actor,
    stageBefore: run.stage,
    stageAfter: run.stage,
    outcome: null,
    taskId: current.id,
    comment: r.comment ?? null,
    changes: r.changes,
    closeTask: { id: current.id, status: 'completed' },
    openTask: next,
    overdue: false,
  });
  Object.assign(run.content, r.changes);
  run.open(next);
}

/** An administrator's new dates for the open task: the reminders start again for the new due date. */
async function applyExtension(run: NominationRun, e: ExtendDeadlineInput): Promise<void> {
  const current = run.task!;
  const wasOverdue = run.overdue();
  const stillOverdue = wasOverdue && e.dueAt === current.dueAt;
  await run.record({
    action: 'deadline_extended',
    actor: e.actor,
    stageBefore: run.stage,
    stageAfter: run.stage,
    outcome: null,
    taskId: current.id,
    comment: `${e.reason} (due ${current.dueAt} → ${e.dueAt}, cut-off ${current.cutoffAt} → ${e.cutoffAt})`,
    taskDeadline: { id: current.id, dueAt: e.dueAt, cutoffAt: e.cutoffAt },
    overdue: stillOverdue,
    notify: [
      {
        ...notice(current.assigneeUnitId, current.assigneeRole, 'deadline_extended', {
          template: 'deadline_extended',
          params: {
            title: run.content.title,
            stage: current.stage,
            dueAt: e.dueAt,
            cutoffAt: e.cutoffAt,
            reason: e.reason,
          },
        }),
        userId: current.assigneeUserId ?? undefined,
      },
    ],
  });
  run.task = {
    ...current,
    dueAt: e.dueAt,
    cutoffAt: e.cutoffAt,
    extended: true,
    ...run.redated(current, e.dueAt),
  };
  if (wasOverdue && !stillOverdue) upsertSearchAttributes([{ key: OverdueKey, value: false }]);
}

const ASSIGN_ACTIONS = {
  claim: 'claimed',
  unclaim: 'unclaimed',
  reassign: 'reassigned',
  release: 'released',
} as const satisfies Record<AssignInput['kind'], ProjectionRecord['action']>;

/** A task changes hands; the new holder of a reassigned task is told. A repeated claim changes nothing. */
async function applyAssign(run: NominationRun, a: AssignInput): Promise<void> {
  const current = run.task!;
  const holder = a.kind === 'claim' ? a.actor : a.kind === 'reassign' ? a.assignee! : null;
  if ((holder?.userId ?? null) === (current.assigneeUserId ?? null)) return;
  const notify: Notice[] =
    holder && a.kind === 'reassign'
      ? [
          {
            ...notice(holder.unitId, holder.role, 'reassigned', {
              template: 'task_reassigned',
              params: {
                by: a.actor.displayName,
                title: run.content.title,
                stage: current.stage,
                dueAt: current.dueAt,
              },
            }),
            userId: holder.userId,
          },
        ]
      : [];
  await run.record({
    action: ASSIGN_ACTIONS[a.kind],
    actor: a.actor,
    stageBefore: run.stage,
    stageAfter: run.stage,
    outcome: null,
    taskId: current.id,
    comment: a.reason ?? (holder && a.kind === 'reassign' ? `to ${holder.displayName}` : null),
    taskAssignee: { id: current.id, userId: holder?.userId ?? null },
    notify,
  });
  run.task = {
    ...current,
    assigneeUserId: holder?.userId ?? null,
    assigneeName: holder?.displayName ?? null,
  };
}
