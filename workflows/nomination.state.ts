import { patched, proxyActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { NominationActivities } from '../activities/nomination.activities';
import type { StepFailureActivities } from '../activities/step-failures';
import {
  type Calendar,
  DEFAULT_MAX_REVISIONS,
  type DeadlineProgress,
  freshProgress,
  resubmissionReviewDeadline,
  resubmissionWindowEnd,
  revisionDeadline,
} from '../src/domain/calendar';
import {
  actingLevel,
  allowedDecisions,
  assigneeRoleFor,
  type NominationStage,
  type Outcome,
  type Stage,
} from '../src/domain/nomination';
import type {
  Actor,
  AssignInput,
  CalendarChange,
  DecidedTask,
  DecisionInput,
  ExtendDeadlineInput,
  HeldStep,
  NominationContent,
  NominationInput,
  NominationState,
  OpenTask,
  ResubmitInput,
  WithdrawInput,
} from '../src/contracts/nomination.messages';
import type { Notice, ProjectionRecord } from '../src/contracts/projection';
import type { NoticeContent } from '../src/domain/notices';
import { DEADLINE_FLOOR_PATCH } from './carried-state';
import { workflowNow, workflowNowMs } from './clock';

const { recordProjection } = proxyActivities<NominationActivities>({
  startToCloseTimeout: '30 seconds',
  // A database outage must delay the projection, never lose it: retry without limit, backing off.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const { recordStepFailure } = proxyActivities<StepFailureActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** A request from a person that the main loop applies, one at a time and in arrival order. */
export type Pending =
  | { kind: 'decision'; input: DecisionInput }
  | { kind: 'withdraw'; input: WithdrawInput }
  | { kind: 'resubmit'; input: ResubmitInput }
  | { kind: 'assign'; input: AssignInput }
  | { kind: 'extend'; input: ExtendDeadlineInput };

/** What the validators see of a run: enough to refuse a request before it reaches history. */
export interface View {
  stage: NominationStage;
  task: OpenTask | null;
  pending?: Pending;
  decided: Map<string, DecidedTask>;
  revisions: number;
  maxRevisions: number;
}

/**
 * Everything one run of nominationWorkflow knows, shared by its main loop (nomination.workflow.ts), the
 * handlers of people's requests (nomination.handlers.ts) and the deadlines (nomination.deadlines.ts). A
 * run continued as new starts from the state the previous one carried (carried-state.ts).
 */
export class NominationRun {
  readonly input: NominationInput;
  readonly workflowId: string;
  calendar: Calendar;
  readonly content: NominationContent;
  /** The last audit sequence number used. */
  seq: number;
  stage: NominationStage;
  outcome: Outcome | null;
  task: OpenTask | null;
  progress: DeadlineProgress | null;
  decisions: number;
  revisions: number;
  registered: boolean;
  /** The request the main loop applies next; validators refuse another meanwhile. */
  pending: Pending | undefined;
  readonly calendarChanges: CalendarChange[];
  readonly decided: Map<string, DecidedTask>;
  /** Answers to withdraw/resubmit, by a per-request token, so each Update returns its own outcome. */
  readonly answered: Set<Pending>;
  /** Requests whose step PostgreSQL refused for its data, with its reason: answered 422, nothing changed. */
  readonly refused: Map<Pending, string>;
  /** The system's own step refused for its data, waiting to be tried again (see retryDelayMs). */
  held: HeldStep | null;
  registrationRefused: string | null;

  constructor(input: NominationInput) {
    this.input = input;
    this.workflowId = workflowInfo().workflowId;
    const { carried } = input;
    this.calendar = input.calendar;
    this.content = carried?.content ?? {
      title: input.title,
      description: input.description,
      field: input.field,
      kind: input.kind,
      nomineeName: input.nomineeName,
    };
    this.seq = carried?.seq ?? 0;
    this.stage = carried?.stage ?? 'district_registration';
    this.outcome = null;
    this.task = carried?.task ?? null;
    this.progress = carried?.progress ?? null;
    this.decisions = carried?.decisions ?? 0;
    this.revisions = carried?.revisions ?? 0;
    this.registered = carried !== undefined;
    this.pending = undefined;
    this.calendarChanges = [...(carried?.calendarChanges ?? [])];
    this.decided = new Map<string, DecidedTask>(carried?.decided);
    this.answered = new Set<Pending>();
    this.refused = new Map<Pending, string>();
    this.held = carried?.held ?? null;
    this.registrationRefused = null;
  }

  maxRevisions(): number {
    return this.calendar.maxRevisions ?? DEFAULT_MAX_REVISIONS;
  }

  /** The unit whose reviewers act on a stage: the province's, or the district-level unit's. */
  unitFor(s: Stage): string {
    const { input } = this;
    return actingLevel(s) === 'province' ? input.provinceUnitId : (input.districtUnitId ?? input.unitId);
  }

  reviewTask(s: Stage): OpenTask {
    return {
      id: uuid4(),
      kind: 'review',
      stage: s,
      allowedDecisions: allowedDecisions(s),
      assigneeRole: assigneeRoleFor(s),
      assigneeUnitId: this.unitFor(s),
      openedAt: workflowNow(),
      ...this.calendar.stages[s],
    };
  }

  revisionTask(s: Stage): OpenTask {
    return {
      id: uuid4(),
      kind: 'revision',
      stage: s,
      allowedDecisions: [],
      assigneeRole: 'submitter',
      assigneeUnitId: this.input.unitId,
      openedAt: workflowNow(),
      ...revisionDeadline(workflowNowMs(), this.calendar),
    };
  }

  /** A model resubmitted in time gets a review window of its own, also past its stage's dates. */
  resubmittedReviewTask(s: Stage): OpenTask {
    const reviewWindowEndsAt = resubmissionWindowEnd(workflowNowMs(), this.calendar);
    const t = this.reviewTask(s);
    return { ...t, ...resubmissionReviewDeadline(t, reviewWindowEndsAt), reviewWindowEndsAt };
  }

  open(t: OpenTask): void {
    this.task = t;
    this.progress = freshProgress(t.dueAt);
  }

  overdue(): boolean {
    return this.progress?.overdue === true && this.progress.dueAt === this.task?.dueAt;
  }

  /**
   * A new due date starts its reminders and escalations afresh (advanceProgress), so they count from now;
   * the same due date keeps its progress, and its floor, as they were.
   */
  redated(current: OpenTask, dueAt: string): Pick<OpenTask, 'datedAt'> {
    return dueAt !== current.dueAt && patched(DEADLINE_FLOOR_PATCH) ? { datedAt: workflowNow() } : {};
  }

  /** A step refused for its data wrote nothing: its number is given back, so the audit `seq` has no gap. */
  async record(
    r: Omit<ProjectionRecord, 'workflowId' | 'nominationId' | 'seq' | 'occurredAt'>,
  ): Promise<{ applied: boolean }> {
    const { held } = this;
    try {
      return await recordProjection({
        ...r,
        workflowId: this.workflowId,
        nominationId: this.input.nominationId,
        seq: ++this.seq,
        occurredAt: workflowNow(),
        ...(held && held.action !== r.action ? { stillHeld: held.action } : {}),
      });
    } catch (err) {
      this.seq--;
      throw err;
    }
  }

  /** Puts a step PostgreSQL refused on the administrators' stuck list. */
  failed(action: string, reason: string, actor: Actor | null): Promise<void> {
    return recordStepFailure({
      workflowId: this.workflowId,
      nominationId: this.input.nominationId,
      action,
      reason,
      actorUserId: actor?.userId ?? null,
      occurredAt: workflowNow(),
    });
  }

  /** Closes the nomination: one audit event; the open task completed by a decision, else cancelled. */
  async close(
    action: ProjectionRecord['action'],
    closing: Outcome,
    extra: Partial<ProjectionRecord> & { actor: Actor | null },
  ): Promise<void> {
    const before = this.stage;
    const current = this.task!;
    await this.record({
      action,
      stageBefore: before,
      stageAfter: 'closed',
      outcome: closing,
      taskId: current.id,
      closeTask: { id: current.id, status: extra.decision ? 'completed' : 'cancelled' },
      overdue: false,
      ...extra,
    });
    this.stage = 'closed';
    this.outcome = closing;
    this.task = null;
    this.progress = null;
  }

  state(): NominationState {
    return {
      nominationId: this.input.nominationId,
      stage: this.stage,
      outcome: this.outcome,
      task: this.task,
      decisions: this.decisions,
      revisions: this.revisions,
      overdue: this.overdue(),
      deadline: this.progress,
      content: this.content,
    };
  }

  view(): View {
    const { stage, task, pending, decided, revisions } = this;
    return { stage, task, pending, decided, revisions, maxRevisions: this.maxRevisions() };
  }
}

export function notice(
  unitId: string,
  role: Notice['role'],
  kind: Notice['kind'],
  content: NoticeContent,
): Notice {
  return { unitId, role, kind, content };
}
