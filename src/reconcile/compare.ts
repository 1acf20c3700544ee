import type { NominationState } from '../contracts/nomination.messages';

/** What the read model says about one nomination: its row and its tasks still marked open. */
export interface ReadModelNomination {
  id: string;
  workflowId: string;
  stage: string;
  outcome: string | null;
  revisions: number;
  overdue: boolean;
  title: string;
  description: string;
  field: string;
  kind: string;
  nomineeName: string;
  /** The last workflow step the row applied: a repair only writes over the row it compared. */
  projectionSeq: number;
  openTasks: ReadModelTask[];
}

export interface ReadModelTask {
  id: string;
  kind: string;
  stage: string;
  dueAt: string | null;
  cutoffAt: string | null;
  assigneeUserId: string | null;
}

/** One place where the read model and the workflow disagree; `workflow` is the truth. */
export interface Difference {
  field: string;
  readModel: unknown;
  workflow: unknown;
}

/**
 * Compares the read model with the workflow's queried state. The workflow is the source of truth
 * (docs/design.md §3), so every difference names what the read model should show instead.
 */
export function compareNomination(rm: ReadModelNomination, wf: NominationState): Difference[] {
  const diffs: Difference[] = [];
  const check = (field: string, readModel: unknown, workflow: unknown) => {
    if (readModel !== workflow) diffs.push({ field, readModel, workflow });
  };
  check('stage', rm.stage, wf.stage);
  check('outcome', rm.outcome, wf.outcome);
  check('revisions', rm.revisions, wf.revisions);
  check('overdue', rm.overdue, wf.overdue);
  check('title', rm.title, wf.content.title);
  check('description', rm.description, wf.content.description);
  check('field', rm.field, wf.content.field);
  check('kind', rm.kind, wf.content.kind);
  check('nomineeName', rm.nomineeName, wf.content.nomineeName);

  const open = wf.task;
  const others = rm.openTasks.filter((t) => t.id !== open?.id);
  for (const t of others) diffs.push({ field: `task ${t.id}`, readModel: 'open', workflow: 'not open' });
  if (!open) return diffs;
  const row = rm.openTasks.find((t) => t.id === open.id);
  if (!row) {
    diffs.push({ field: `task ${open.id}`, readModel: 'not open', workflow: 'open' });
    return diffs;
  }
  check('task.kind', row.kind, open.kind);
  check('task.stage', row.stage, open.stage);
  check('task.dueAt', sameInstant(row.dueAt, open.dueAt), open.dueAt);
  check('task.cutoffAt', sameInstant(row.cutoffAt, open.cutoffAt), open.cutoffAt);
  check('task.assigneeUserId', row.assigneeUserId, open.assigneeUserId ?? null);
  return diffs;
}

/** The read model's time when it is the same instant as the workflow's, so the two compare equal as strings. */
function sameInstant(readModel: string | null, workflow: string): string | null {
  if (readModel !== null && Date.parse(readModel) === Date.parse(workflow)) return workflow;
  return readModel;
}
