import { BUSY_MESSAGE, REFUSAL } from '../src/contracts/failures';
import {
  type AssignInput,
  type DecisionInput,
  decisionKey,
  type ExtendDeadlineInput,
  type NominationInput,
  type OpenTask,
  type ResubmitInput,
  type WithdrawInput,
} from '../src/contracts/nomination.messages';
import { quotaRefusal } from '../src/domain/campaign';
import { decisionProblem, transitionFor } from '../src/domain/nomination';
import { timeMs } from '../src/domain/time';
import type { View } from './nomination.state';
import { refuse } from './refusals';
import { fitsTask, hasTaskRole, may, scopeOf } from '../src/domain/access-policy';

/**
 * The Update validators of nominationWorkflow: each refuses, before it reaches history, a request the
 * workflow cannot accept right now (who may ask comes before what the nomination's state allows, so a
 * caller who may not act learns nothing about it). They only read the run's View; the main loop applies
 * what they let through.
 */

/** Checks shared by every request a person makes: the nomination is open and nothing else is being applied. */
function assertOpen(v: View): OpenTask {
  if (v.stage === 'closed' || !v.task) throw refuse(REFUSAL.conflict, 'the nomination is closed');
  if (v.pending) throw refuse(REFUSAL.conflict, BUSY_MESSAGE);
  return v.task;
}

/** Refuses, before it reaches history, any decision the workflow cannot accept right now. */
export function validateDecision(d: DecisionInput, v: View): void {
  const earlier = v.decided.get(d.taskId);
  if (earlier?.key === decisionKey(d)) return; // a retry: answered with the first answer
  if (earlier) throw refuse(REFUSAL.conflict, 'this task has already been decided');
  const task = assertOpen(v);
  if (task.id !== d.taskId) throw refuse(REFUSAL.conflict, 'this task is not open');
  if (task.kind === 'revision') {
    throw refuse(REFUSAL.conflict, 'the nomination is waiting for its submitter to revise it');
  }
  // Access policy, task.decide: administrators act across their subtree (the API has checked it: a
  // workflow cannot read the unit tree); everyone else only on a task that asks for their role in their unit.
  const scope = scopeOf(d.actor, 'task.decide');
  if (!scope || (scope === 'assigned' && !hasTaskRole(d.actor, task))) {
    throw refuse(REFUSAL.forbidden, `only a ${task.assigneeRole} or an admin may decide this task`);
  }
  if (!may(d.actor, 'task.decide', { task, inSubtree: true })) {
    throw refuse(REFUSAL.forbidden, `only a ${task.assigneeRole} of the task's unit may decide this task`);
  }
  const holder = task.assigneeUserId;
  if (holder && scope === 'assigned' && d.actor.userId !== holder && d.onBehalfOf?.userId !== holder) {
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
export function validateWithdrawal(w: WithdrawInput, input: NominationInput, v: View): void {
  // Who may ask comes first: a caller who may not act learns nothing about the nomination's state.
  if (w.cancel && !may(w.actor, 'nomination.cancel')) {
    throw refuse(REFUSAL.forbidden, 'only an admin may cancel a nomination');
  }
  if (!may(w.actor, 'nomination.withdraw', { unitId: input.unitId })) {
    throw refuse(REFUSAL.forbidden, 'only the submitting unit or an admin may withdraw this nomination');
  }
  assertOpen(v);
  if (!w.reason?.trim()) throw refuse(REFUSAL.invalid, 'reason is required to withdraw');
}

export function validateResubmission(r: ResubmitInput, input: NominationInput, v: View): void {
  if (!may(r.actor, 'nomination.resubmit', { unitId: input.unitId })) {
    throw refuse(REFUSAL.forbidden, 'only the submitting unit or an admin may resubmit this nomination');
  }
  const task = assertOpen(v);
  if (task.kind !== 'revision') throw refuse(REFUSAL.conflict, 'no revision has been requested');
}

/** New dates must be real, in order, still ahead, and not cut the task's time short. */
export function validateExtension(e: ExtendDeadlineInput, v: View, now: number): void {
  if (!may(e.actor, 'nomination.extend'))
    throw refuse(REFUSAL.forbidden, 'only an admin may extend a deadline');
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

/** Claims race safely: the first is applied, a second meanwhile or after is refused with who holds it. */
export function validateAssign(a: AssignInput, v: View): void {
  const task = assertOpen(v);
  if (task.id !== a.taskId) throw refuse(REFUSAL.conflict, 'this task is not open');
  const holder = task.assigneeUserId ?? null;
  switch (a.kind) {
    case 'claim':
      if (!may(a.actor, 'task.claim', { task })) {
        throw refuse(REFUSAL.forbidden, `only a ${task.assigneeRole} of the task's unit may claim it`);
      }
      if (holder && holder !== a.actor.userId) {
        throw refuse(REFUSAL.conflict, `the task is already claimed by ${task.assigneeName}`);
      }
      return;
    case 'unclaim':
      if (!may(a.actor, 'task.unclaim', { task })) {
        throw refuse(REFUSAL.forbidden, 'only the reviewer who claimed it or an admin may unclaim this task');
      }
      if (!holder) throw refuse(REFUSAL.conflict, 'the task is not claimed');
      return;
    case 'reassign':
      if (!may(a.actor, 'task.reassign'))
        throw refuse(REFUSAL.forbidden, 'only an admin may reassign a task');
      if (!fitsTask(a.assignee, task)) {
        throw refuse(REFUSAL.invalid, `the new assignee must be a ${task.assigneeRole} of the task's unit`);
      }
      return;
    case 'release':
      if (!may(a.actor, 'task.release')) throw refuse(REFUSAL.forbidden, 'only an admin may release a task');
      if (!holder) throw refuse(REFUSAL.conflict, 'the task is not claimed');
      return;
  }
}
