import type { DataSource, EntityManager } from 'typeorm';
import type { ReadModelNomination } from './compare';

interface NominationRow {
  id: string;
  workflow_id: string;
  stage: string;
  outcome: string | null;
  revisions: number;
  overdue: boolean;
  title: string;
  description: string;
  field: string;
  kind: string;
  nominee_name: string;
  projection_seq: number;
}

interface TaskRow {
  id: string;
  nomination_id: string;
  kind: string;
  stage: string;
  due_at: Date | null;
  cutoff_at: Date | null;
  assignee_user_id: string | null;
}

/**
 * The nominations an administrator reconciles: every one still open, and those closed within
 * `closedWithinHours` (a late projection most often concerns the last steps).
 */
export async function reconcilableIds(ds: DataSource, closedWithinHours: number): Promise<string[]> {
  const rows: { id: string }[] = await ds.query(
    `SELECT id FROM nominations
      WHERE stage <> 'closed' OR closed_at IS NULL OR closed_at > now() - make_interval(hours => $1)
      ORDER BY created_at, id`,
    [closedWithinHours],
  );
  return rows.map((r) => r.id);
}

/** The read model's view of these nominations, keyed by id; ids without a row are absent. */
export async function loadReadModel(
  db: DataSource | EntityManager,
  ids: string[],
): Promise<Map<string, ReadModelNomination>> {
  const out = new Map<string, ReadModelNomination>();
  if (!ids.length) return out;
  const rows: NominationRow[] = await db.query(
    `SELECT id, workflow_id, stage, outcome, revisions, overdue, title, description, field, kind, nominee_name,
            projection_seq
       FROM nominations WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  for (const r of rows) {
    out.set(r.id, {
      id: r.id,
      workflowId: r.workflow_id,
      stage: r.stage,
      outcome: r.outcome,
      revisions: r.revisions,
      overdue: r.overdue,
      title: r.title,
      description: r.description,
      field: r.field,
      kind: r.kind,
      nomineeName: r.nominee_name,
      projectionSeq: r.projection_seq,
      openTasks: [],
    });
  }
  const tasks: TaskRow[] = await db.query(
    `SELECT id, nomination_id, kind, stage, due_at, cutoff_at, assignee_user_id
       FROM tasks WHERE status = 'open' AND nomination_id = ANY($1::uuid[]) ORDER BY opened_at, id`,
    [ids],
  );
  for (const t of tasks) {
    out.get(t.nomination_id)?.openTasks.push({
      id: t.id,
      kind: t.kind,
      stage: t.stage,
      dueAt: t.due_at?.toISOString() ?? null,
      cutoffAt: t.cutoff_at?.toISOString() ?? null,
      assigneeUserId: t.assignee_user_id,
    });
  }
  return out;
}
