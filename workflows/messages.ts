import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Decision, Field, Kind, NominationStage, Outcome, Role, Stage } from '../src/domain/nomination';

/** Messages of nominationWorkflow, declared once and shared by the workflow, the API and the tests. */

export interface NominationInput {
  nominationId: string;
  campaignId: string;
  unitId: string;
  title: string;
  description: string;
  field: Field;
  kind: Kind;
  nomineeName: string;
  submittedBy: Actor;
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
  stage: Stage;
  allowedDecisions: readonly Decision[];
  assigneeRole: Role;
  assigneeUnitId: string;
  openedAt: string;
}

export interface DecisionInput {
  taskId: string;
  decision: string;
  comment?: string;
  score?: number;
  actor: Actor;
}

export interface DecisionResult {
  nominationId: string;
  taskId: string;
  decision: Decision;
  stage: NominationStage;
  outcome: Outcome | null;
  nextTaskId: string | null;
}

export interface NominationState {
  nominationId: string;
  stage: NominationStage;
  outcome: Outcome | null;
  task: OpenTask | null;
  decisions: number;
}

export const decideUpdate = defineUpdate<DecisionResult, [DecisionInput]>('decide');
/**
 * Sent with the workflow's start (update-with-start): answers once the registration is in the read model,
 * so the API can return the new nomination with its first task already visible.
 */
export const registrationUpdate = defineUpdate<NominationState>('registration');
export const stateQuery = defineQuery<NominationState>('state');

/** Failure types a validator throws; the API maps them to HTTP statuses. */
export const REFUSAL = {
  /** The decision conflicts with the nomination's current state (closed, task not open, already decided). */
  conflict: 'DecisionConflict',
  /** The decision itself is invalid for the task (not allowed here, missing score, wrong role). */
  invalid: 'DecisionInvalid',
  /** The actor may not act on this task. */
  forbidden: 'DecisionForbidden',
} as const;
