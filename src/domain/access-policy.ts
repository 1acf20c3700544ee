import { ROLES, type Role } from './nomination';

/**
 * Who may do what (docs/design.md §2 "Roles"): the one table the API's guard, the services' target checks, the
 * workflow validators, the web pages (through `GET /auth/me` and the resources' `actions`) and the
 * authorization-matrix test all read. Pure: the workflows import it.
 *
 * A hand-written table rather than CASL: every rule here is "this role, within this scope", and the scopes
 * that matter ("under the caller's unit", "the task asks for the caller's role in the caller's unit") need
 * the unit tree, which only the API can read; CASL's conditions would still leave those to the caller, and
 * it would add a package to the deterministic workflow bundle for a table of thirty lines.
 *
 * Scopes — what the target must be for the role to act on it:
 * - `any`: anything the caller can see at all (every read is already limited to the caller's subtree; an
 *   unseen resource answers 404 before this table is asked).
 * - `own_unit`: the target's unit is the caller's own unit.
 * - `unit_subtree`: the target's unit is the caller's unit or under it (the API asks units/scope.repository.ts).
 * - `assigned`: the task asks for the caller's role in the caller's unit.
 * - `held`: the caller holds (has claimed) the task.
 * - `self`: the target is the caller themself.
 */
export type Scope = 'any' | 'own_unit' | 'unit_subtree' | 'assigned' | 'held' | 'self';

const REVIEWERS = {
  submitter: 'assigned',
  district_reviewer: 'assigned',
  provincial_reviewer: 'assigned',
} as const;
const EVERYONE_SELF = { submitter: 'self', district_reviewer: 'self', provincial_reviewer: 'self' } as const;

/** Action × role → scope. A role absent from an action's row may not do it at all (403). */
export const POLICY = {
  /** Start a round; the service checks the province is the admin's own or above. */
  'campaign.create': { admin: 'any' },
  /** Change the calendar (the campaign workflow checks the role again) or the quotas; target: the province. */
  'campaign.calendar': { admin: 'own_unit' },
  'campaign.quotas': { admin: 'own_unit' },
  /** The units' status and the campaign's events; target: the campaign's province. */
  'campaign.watch': { admin: 'own_unit', provincial_reviewer: 'own_unit' },
  'pipeline.view': { admin: 'own_unit', provincial_reviewer: 'own_unit' },
  'report.view': { admin: 'own_unit', provincial_reviewer: 'own_unit' },
  /** Register (or import) a model; target: the registering unit. */
  'nomination.register': { submitter: 'unit_subtree', admin: 'unit_subtree' },
  /** Target: the nomination's unit (the workflow judges it). */
  'nomination.withdraw': { submitter: 'own_unit', admin: 'any' },
  'nomination.resubmit': { submitter: 'own_unit', admin: 'any' },
  /** Target: the unit the nomination's open task waits for. */
  'nomination.cancel': { admin: 'unit_subtree' },
  'nomination.extend': { admin: 'unit_subtree' },
  /** The inbox: an administrator sees every task of the subtree, the others what is theirs to do. */
  'task.view': { ...REVIEWERS, admin: 'unit_subtree' },
  /** Target: the task (its unit must lie in an administrator's subtree). */
  'task.decide': { ...REVIEWERS, admin: 'unit_subtree' },
  'task.claim': { ...REVIEWERS },
  'task.unclaim': { submitter: 'held', district_reviewer: 'held', provincial_reviewer: 'held', admin: 'any' },
  'task.reassign': { admin: 'any' },
  /** Return a deactivated user's claimed tasks to the pool. */
  'task.release': { admin: 'any' },
  'audit.view': { admin: 'unit_subtree' },
  'user.create': { admin: 'unit_subtree' },
  'user.list': { admin: 'unit_subtree' },
  /** Target: the user. */
  'user.view': { ...EVERYONE_SELF, admin: 'unit_subtree' },
  'user.update': { ...EVERYONE_SELF, admin: 'unit_subtree' },
  'user.activate': { admin: 'unit_subtree' },
  'unit.create': { admin: 'unit_subtree' },
  'unit.update': { admin: 'unit_subtree' },
  'unit.delete': { admin: 'unit_subtree' },
  /** Name a cover for an absence; target: the absent user. */
  'absence.create': { ...EVERYONE_SELF, admin: 'unit_subtree' },
  /** Target: the absence's absent user (everyone also sees the covers they act in). */
  'absence.view': { ...EVERYONE_SELF, admin: 'unit_subtree' },
  'absence.delete': { ...EVERYONE_SELF, admin: 'any' },
  /** Open a nomination's workflow in the Temporal UI (the pages' link). */
  'workflow.inspect': { admin: 'any' },
} as const satisfies Record<string, Partial<Record<Role, Scope>>>;

export type Action = keyof typeof POLICY;
export const ACTIONS = Object.keys(POLICY) as Action[];

/** Who acts: the API's signed-in user and the workflows' actor both have these. */
export interface Principal {
  role: Role;
  unitId: string;
  /** The user's id (`id` in the API, `userId` in workflow messages). */
  id?: string;
  userId?: string;
}

/** The task a task action aims at, as the workflow and the read model both describe it. */
export interface TaskTarget {
  assigneeRole: Role | string;
  assigneeUnitId: string;
  assigneeUserId?: string | null;
}

/** What an action aims at; each scope reads the part it needs. */
export interface Target {
  /** `own_unit`: the target's unit. */
  unitId?: string;
  /** `unit_subtree`: whether the target's unit lies within the caller's (the API asks units/scope.repository.ts). */
  inSubtree?: boolean;
  /** `assigned`, `held`. */
  task?: TaskTarget;
  /** `self`: the user aimed at. */
  userId?: string;
}

/** The scope within which the actor's role may do the action; undefined: not at all. */
export function scopeOf(actor: Pick<Principal, 'role'>, action: Action): Scope | undefined {
  return (POLICY[action] as Partial<Record<Role, Scope>>)[actor.role];
}

/**
 * Whether the actor may do the action: without a target, whether their role may do it anywhere (what the
 * guard and the pages ask); with one, whether this target lies within their scope.
 */
export function may(actor: Principal, action: Action, target?: Target): boolean {
  const scope = scopeOf(actor, action);
  if (!scope) return false;
  if (!target) return true;
  switch (scope) {
    case 'any':
      return true;
    case 'own_unit':
      return target.unitId === actor.unitId;
    case 'unit_subtree':
      return target.inSubtree === true;
    case 'assigned':
      return !!target.task && fitsTask(actor, target.task);
    case 'held':
      return !!target.task?.assigneeUserId && target.task.assigneeUserId === idOf(actor);
    case 'self':
      return target.userId !== undefined && target.userId === idOf(actor);
  }
}

/** The actions the actor's role may do somewhere: what `GET /auth/me` tells the pages. */
export function globalActions(actor: Pick<Principal, 'role'>): Action[] {
  return ACTIONS.filter((a) => scopeOf(actor, a) !== undefined);
}

/** Whether a person is one the task asks for: its role in its unit (a claimant, a reassignment's assignee). */
export function fitsTask(person: Pick<Principal, 'role' | 'unitId'> | undefined, task: TaskTarget): boolean {
  return !!person && person.role === task.assigneeRole && person.unitId === task.assigneeUnitId;
}

/** Whether a person holds the role the task asks for (whatever their unit). */
export function hasTaskRole(person: Pick<Principal, 'role'>, task: TaskTarget): boolean {
  return person.role === task.assigneeRole;
}

/** Absence cover: the acting colleague must share the absent user's unit and role. */
export function mayCoverFor(
  acting: { role: Role | string; unitId: string },
  absent: { role: Role | string; unitId: string },
): boolean {
  return acting.role === absent.role && acting.unitId === absent.unitId;
}

function idOf(actor: Principal): string | undefined {
  return actor.userId ?? actor.id;
}

/** Every role with its scope for an action, in the order of ROLES (the docs and the matrix test). */
export function rowOf(action: Action): Record<Role, Scope | undefined> {
  return Object.fromEntries(ROLES.map((r) => [r, scopeOf({ role: r }, action)])) as Record<
    Role,
    Scope | undefined
  >;
}
