import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ProposalCount, Quotas } from '../domain/campaign';
import type { Calendar, DeadlineProgress } from '../domain/calendar';
import type { Decision, Field, Kind, NominationStage, Outcome, Role, Stage } from '../domain/nomination';
import type { AuditAction } from './audit';

/** Messages of nominationWorkflow, declared once and shared by the workflow, the API and the tests. */

/** The model's own content: what the submitter registers and may change when asked to revise. */
export interface NominationContent {
  title: string;
  description: string;
  field: Field;
  kind: Kind;
  nomineeName: string;
}

export interface NominationInput extends NominationContent {
  nominationId: string;
  campaignId: string;
  unitId: string;
  /**
   * The district-level unit whose reviewers act on the district stages: the registering unit itself, or
   * the parent of a grassroots unit. Absent in nominations started before units had levels: unitId.
   */
  districtUnitId?: string;
  /** The province running the campaign: its reviewers act on the provincial stages. */
  provinceUnitId: string;
  /** The campaign's calendar when the nomination was registered; later changes arrive by signal. */
  calendar: Calendar;
  submittedBy: Actor;
  /**
   * Continue as new once the history has this many events (default NOMINATION_MAX_HISTORY_EVENTS), or
   * when Temporal suggests it; lets the tests bound a run sooner.
   */
  maxHistoryEvents?: number;
  /** Set by continue-as-new only: the state the previous run ended with. */
  carried?: CarriedNomination;
}

/** A named person acting, as they were at that moment (role and unit can change later). */
export interface Actor {
  userId: string;
  displayName: string;
  role: Role;
  unitId: string;
}

export interface OpenTask {
  id: string;
  /** `review`: a reviewer decides; `revision`: the submitter revises and resubmits. */
  kind: 'review' | 'revision';
  stage: Stage;
  allowedDecisions: readonly Decision[];
  assigneeRole: Role;
  assigneeUnitId: string;
  /** The user who claimed it (or was assigned it); absent or null: in the unit's pool. */
  assigneeUserId?: string | null;
  assigneeName?: string | null;
  openedAt: string;
  dueAt: string;
  cutoffAt: string;
  /** An administrator moved this task's dates: campaign calendar changes no longer touch them. */
  extended?: boolean;
  /**
   * When an extension or a calendar change last moved the due date (ISO-8601), since DEADLINE_FLOOR_PATCH:
   * reminders already past then are skipped and escalations count from it, as from `openedAt`.
   */
  datedAt?: string;
  /**
   * A review task opened by a resubmission: its dates are never earlier than this, the end of the review
   * window the resubmitted model was given (resubmissionReviewDeadline), calendar changes included.
   */
  reviewWindowEndsAt?: string;
}

export interface DecisionInput {
  taskId: string;
  decision: string;
  comment?: string;
  score?: number;
  actor: Actor;
  /**
   * With a `propose` in a campaign that caps proposals: the caps and the unit's proposals so far, counted
   * by the API (which serialises proposals per unit), for the validator to judge.
   */
  quota?: { quotas: Quotas; count: ProposalCount };
  /** Set when an acting colleague decides a task claimed by the absent reviewer they cover. */
  onBehalfOf?: Actor;
}

/**
 * Who holds a task: `claim` takes it from the unit's pool, `unclaim` puts it back, `reassign` (an
 * administrator) hands it to a named user of the task's unit and role, `release` (an administrator,
 * when a user is deactivated) returns it to the pool.
 */
export interface AssignInput {
  taskId: string;
  kind: 'claim' | 'unclaim' | 'reassign' | 'release';
  actor: Actor;
  /** reassign: the new holder, checked by the API to be an active user. */
  assignee?: Actor;
  reason?: string;
}

/**
 * What makes two decision requests the same: the same person deciding the same way, with the same comment
 * and score (the edge has trimmed and normalised the text, so a resent request matches).
 */
export function decisionKey(d: DecisionInput): string {
  return JSON.stringify([d.actor.userId, d.decision, d.comment ?? null, d.score ?? null]);
}

export interface DecisionResult {
  nominationId: string;
  taskId: string;
  decision: Decision;
  stage: NominationStage;
  outcome: Outcome | null;
  nextTaskId: string | null;
}

export interface WithdrawInput {
  reason: string;
  actor: Actor;
  /** An administrator cancels the nomination (audited as `cancelled`; the outcome is `withdrawn`). */
  cancel?: boolean;
}

/** An administrator gives one nomination's open task new dates, with a reason. */
export interface ExtendDeadlineInput {
  dueAt: string;
  cutoffAt: string;
  reason: string;
  actor: Actor;
}

export interface ResubmitInput {
  changes: Partial<NominationContent>;
  comment?: string;
  actor: Actor;
}

export interface CalendarChange {
  calendar: Calendar;
  /** Who moved the dates, for the audit comment; the re-arming itself is the system's doing. */
  changedBy: string;
}

export interface NominationState {
  nominationId: string;
  stage: NominationStage;
  outcome: Outcome | null;
  task: OpenTask | null;
  decisions: number;
  revisions: number;
  overdue: boolean;
  deadline: DeadlineProgress | null;
  content: NominationContent;
}

export const decideUpdate = defineUpdate<DecisionResult, [DecisionInput]>('decide');
export const assignUpdate = defineUpdate<NominationState, [AssignInput]>('assign');
export const extendDeadlineUpdate = defineUpdate<NominationState, [ExtendDeadlineInput]>('extendDeadline');
export const withdrawUpdate = defineUpdate<NominationState, [WithdrawInput]>('withdraw');
export const resubmitUpdate = defineUpdate<NominationState, [ResubmitInput]>('resubmit');
/**
 * Sent with the workflow's start (update-with-start): answers once the registration is in the read model,
 * so the API can return the new nomination with its first task already visible.
 */
export const registrationUpdate = defineUpdate<NominationState>('registration');
/** The campaign's calendar moved: re-arm the timers of the open task. */
export const calendarChangedSignal = defineSignal<[CalendarChange]>('calendarChanged');
export const stateQuery = defineQuery<NominationState>('state');

/**
 * Everything a nomination knows that its registration input does not, handed from one run to the next
 * (workflows/carried-state.ts decides when). The calendar travels as the input's own `calendar`; the
 * registration is not recorded again.
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
