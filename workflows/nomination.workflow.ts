import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import {
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
} from '../src/domain/search-attributes';
import type { NominationActivities, ProjectionRecord } from '../activities/nomination.activities';
import {
  type Actor,
  type DecisionInput,
  type DecisionResult,
  decideUpdate,
  type NominationInput,
  registrationUpdate,
  type NominationState,
  type OpenTask,
  REFUSAL,
  stateQuery,
} from './messages';
import { workflowNow } from './clock';

const { recordProjection } = proxyActivities<NominationActivities>({
  startToCloseTimeout: '30 seconds',
  // A database outage must delay the projection, never lose it: retry without limit, backing off.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export interface NominationResult {
  nominationId: string;
  outcome: Outcome;
}

/**
 * One nomination's way through the round (DESIGN.md §1). The workflow is the authority on its stage;
 * every change it makes is written to the read model and the audit log by one idempotent activity
 * call, numbered by `seq` so a retried call changes nothing twice.
 */
export async function nominationWorkflow(input: NominationInput): Promise<NominationResult> {
  const { workflowId } = workflowInfo();
  let seq = 0;
  let stage: NominationStage = 'district_registration';
  let outcome: Outcome | null = null;
  let task: OpenTask | null = null;
  let decisions = 0;
  let registered = false;
  // The decision being applied; while it is set, other decisions are refused rather than queued.
  let applying: DecisionInput | undefined;
  const results = new Map<string, DecisionResult>();

  const openTask = (s: Stage): OpenTask => ({
    id: uuid4(),
    stage: s,
    allowedDecisions: allowedDecisions(s),
    assigneeRole: assigneeRoleFor(s),
    // Until units carry their parent chain into the workflow, every task belongs to the nominating unit.
    assigneeUnitId: input.unitId,
    openedAt: workflowNow(),
  });

  const record = (r: Omit<ProjectionRecord, 'workflowId' | 'nominationId' | 'seq' | 'occurredAt'>) =>
    recordProjection({
      ...r,
      workflowId,
      nominationId: input.nominationId,
      seq: ++seq,
      occurredAt: workflowNow(),
    });

  const state = (): NominationState => ({
    nominationId: input.nominationId,
    stage,
    outcome,
    task,
    decisions,
  });
  setHandler(stateQuery, state);
  setHandler(registrationUpdate, async () => {
    await condition(() => registered);
    return state();
  });

  setHandler(
    decideUpdate,
    async (d: DecisionInput): Promise<DecisionResult> => {
      applying = d;
      await condition(() => results.has(d.taskId));
      return results.get(d.taskId)!;
    },
    { validator: (d: DecisionInput) => validateDecision(d, { stage, task, applying, results }) },
  );

  // Published by the workflow itself, so every start path (API, import, tests) lists the same way.
  upsertSearchAttributes([
    { key: NominationStageKey, value: stage },
    { key: CampaignIdKey, value: input.campaignId },
    { key: UnitIdKey, value: input.unitId },
    { key: NominationFieldKey, value: input.field },
    { key: NominationKindKey, value: input.kind },
    { key: OverdueKey, value: false },
  ]);

  // The first task is open from the start: a decision that arrives while it is being projected waits
  // in the loop below, after the registration, so history and read model keep the same order.
  task = openTask('district_registration');
  await record({
    action: 'registered',
    actor: input.submittedBy,
    stageBefore: null,
    stageAfter: stage,
    outcome: null,
    nomination: input,
    openTask: task,
  });
  registered = true;

  while (stage !== 'closed') {
    await condition(() => applying !== undefined);
    const d = applying!;
    const decision = d.decision as Decision; // the validator has checked it against the stage
    const current = task!;
    const transition = transitionFor(current.stage, decision)!;
    const stageBefore = stage;
    let next: OpenTask | null = null;
    let nextStage: NominationStage = stageBefore;
    let nextOutcome: Outcome | null = null;
    if (transition.kind === 'advance') {
      nextStage = transition.to;
      next = openTask(transition.to);
    } else if (transition.kind === 'close') {
      nextStage = 'closed';
      nextOutcome = transition.outcome;
    } else {
      // The validator refuses revisions until the revision loop exists, so this cannot be reached.
      throw ApplicationFailure.nonRetryable(`unexpected revision transition at ${current.stage}`);
    }

    await record({
      action: 'decided',
      actor: d.actor,
      stageBefore,
      stageAfter: nextStage,
      outcome: nextOutcome,
      decision: { taskId: current.id, decision, comment: d.comment ?? null, score: d.score ?? null },
      openTask: next,
    });
    stage = nextStage;
    outcome = nextOutcome;
    task = next;
    decisions++;
    upsertSearchAttributes([{ key: NominationStageKey, value: stage }]);
    log.info('decision applied', { taskId: current.id, decision, stageBefore, stageAfter: stage });
    results.set(d.taskId, {
      nominationId: input.nominationId,
      taskId: current.id,
      decision,
      stage,
      outcome,
      nextTaskId: next?.id ?? null,
    });
    applying = undefined;
  }

  // Let the last Update return its answer before the workflow completes.
  await condition(allHandlersFinished);
  return { nominationId: input.nominationId, outcome: outcome! };
}

/** Refuses, before it reaches history, any decision the workflow cannot accept right now. */
function validateDecision(
  d: DecisionInput,
  s: {
    stage: NominationStage;
    task: OpenTask | null;
    applying?: DecisionInput;
    results: Map<string, unknown>;
  },
): void {
  if (s.stage === 'closed') throw refuse(REFUSAL.conflict, 'the nomination is closed');
  if (s.results.has(d.taskId)) throw refuse(REFUSAL.conflict, 'this task has already been decided');
  if (!s.task || s.task.id !== d.taskId) throw refuse(REFUSAL.conflict, 'this task is not open');
  if (s.applying) throw refuse(REFUSAL.conflict, 'another decision on this task is being recorded');
  if (!mayAct(d.actor, s.task)) {
    throw refuse(REFUSAL.forbidden, `only a ${s.task.assigneeRole} or an admin may decide this task`);
  }
  const problem = decisionProblem(s.task.stage, d);
  if (problem) throw refuse(REFUSAL.invalid, problem);
  if (transitionFor(s.task.stage, d.decision)?.kind === 'revision') {
    throw refuse(REFUSAL.invalid, 'request_revision is not available yet: the revision loop is not built');
  }
}

function mayAct(actor: Actor, task: OpenTask): boolean {
  return actor.role === 'admin' || actor.role === task.assigneeRole;
}

function refuse(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}
