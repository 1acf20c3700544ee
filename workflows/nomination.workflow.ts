import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CarriedNomination, NominationInput } from '../src/contracts/nomination.messages';
import {
  CampaignIdKey,
  NominationFieldKey,
  NominationKindKey,
  NominationStageKey,
  OverdueKey,
  UnitIdKey,
} from '../src/contracts/search-attributes';
import type { Outcome } from '../src/domain/nomination';
import { CONTINUE_AS_NEW_PATCH, historyIsLong } from './carried-state';
import { workflowNowMs } from './clock';
import { calendarDue, fireDue, nextDeadline, takeCalendarChange } from './nomination.deadlines';
import { applyRequest, registerHandlers, REQUEST_ACTIONS } from './nomination.handlers';
import { NominationRun } from './nomination.state';
import { notRecorded } from './refusals';
import { unrecordable } from './unrecorded';

export interface NominationResult {
  nominationId: string;
  outcome: Outcome;
}

/**
 * One nomination's way through the round (docs/design.md §1). The workflow is the authority on its stage;
 * every change it makes is written to the read model and the audit log by one idempotent activity
 * call, numbered by `seq` so a retried call changes nothing twice. Nothing is ever decided by silence:
 * a task nobody acts on is reminded, then escalated, and at its stage's hard cut-off the nomination
 * closes without the decision it was waiting for (nomination.deadlines.ts).
 *
 * The loop waits for the first of: a person's request (validated and queued by nomination.handlers.ts),
 * a calendar change, or the open task's next deadline; it applies that one step, then looks again.
 */
export async function nominationWorkflow(input: NominationInput): Promise<NominationResult> {
  // A run continued as new goes on from where the previous one stopped (carried-state.ts).
  const run = new NominationRun(input);
  registerHandlers(run);
  publishSearchAttributes(run);
  // The first task is open from the start: a decision that arrives while it is being projected waits
  // in the loop below, after the registration, so history and read model keep the same order.
  if (!input.carried) await register(run);
  run.registered = true;

  while (run.stage !== 'closed') {
    const event = nextDeadline(run);
    const cutoffMs = Date.parse(run.task!.cutoffAt);
    // A held step is tried again at its time, but the cut-off is never postponed by it.
    const wakeAt = run.held ? Math.min(run.held.until, cutoffMs) : event.at;
    const waitMs = wakeAt - workflowNowMs();
    const woken = () => run.pending !== undefined || calendarDue(run);
    const acted = waitMs > 0 ? await condition(woken, waitMs) : woken();
    // A calendar change comes first: it re-dates the task the requests and the timers act on.
    const calendarStep = takeCalendarChange(run);
    if (calendarStep !== null) {
      if (calendarStep !== 'superseded' && (await calendarStep)) run.calendarChanges.shift();
      continue;
    }
    if (acted && run.pending !== undefined) {
      const request = run.pending;
      // The request re-dates or replaces the task, so a held reminder may be moot: the timer decides anew.
      if (run.held?.work === 'timer') run.held = null;
      try {
        await applyRequest(run, request);
        run.answered.add(request);
      } catch (err) {
        // The person is answered 422 with the reason; the nomination keeps its state and its timers.
        const reason = unrecordable(err);
        if (reason === null) throw err;
        await run.failed(REQUEST_ACTIONS[request.kind], reason, request.input.actor);
        run.refused.set(request, reason);
      }
      run.pending = undefined;
    } else if (workflowNowMs() >= wakeAt) {
      await fireDue(run, event, cutoffMs);
    }
    upsertSearchAttributes([{ key: NominationStageKey, value: run.stage }]);
    log.info('nomination step', { stage: run.stage, outcome: run.outcome, seq: run.seq });
    await continueIfLong(run);
  }

  // Let the last Update return its answer before the workflow completes.
  await condition(allHandlersFinished);
  return { nominationId: input.nominationId, outcome: run.outcome! };
}

/** Published by the workflow itself, so every start path (API, import, tests) lists the same way. */
function publishSearchAttributes(run: NominationRun): void {
  const { input } = run;
  upsertSearchAttributes([
    { key: NominationStageKey, value: run.stage },
    { key: CampaignIdKey, value: input.campaignId },
    { key: UnitIdKey, value: input.unitId },
    { key: NominationFieldKey, value: input.field },
    { key: NominationKindKey, value: input.kind },
    { key: OverdueKey, value: run.overdue() },
  ]);
}

/** Records the registration with the first task. */
async function register(run: NominationRun): Promise<void> {
  const { input } = run;
  run.open(run.reviewTask('district_registration'));
  try {
    await run.record({
      action: 'registered',
      actor: input.submittedBy,
      stageBefore: null,
      stageAfter: run.stage,
      outcome: null,
      nomination: input,
      openTask: run.task,
    });
  } catch (err) {
    // Nothing was written, so there is no nomination to keep: the submitter is told why, and the run
    // fails, which lets the same request (once its data is fixed) start the nomination afresh.
    const reason = unrecordable(err);
    if (reason === null) throw err;
    run.registrationRefused = reason;
    await condition(allHandlersFinished);
    throw notRecorded('registration', reason);
  }
}

/**
 * Hands the nomination to a new run before the history grows long, between steps: when no request is
 * being applied and every Update has had its answer. A request that arrives meanwhile is applied by
 * this run first; signalled calendar changes travel along.
 */
async function continueIfLong(run: NominationRun): Promise<void> {
  const { input } = run;
  if (run.stage === 'closed' || !patched(CONTINUE_AS_NEW_PATCH)) return;
  if (!historyIsLong(workflowInfo(), input.maxHistoryEvents)) return;
  await condition(() => run.pending !== undefined || allHandlersFinished());
  if (run.pending !== undefined || !allHandlersFinished()) return;
  const next: CarriedNomination = {
    seq: run.seq,
    stage: run.stage,
    task: run.task,
    progress: run.progress,
    decisions: run.decisions,
    revisions: run.revisions,
    content: run.content,
    decided: [...run.decided],
    calendarChanges: run.calendarChanges,
    held: run.held,
  };
  await continueAsNew<typeof nominationWorkflow>({ ...input, calendar: run.calendar, carried: next });
}
