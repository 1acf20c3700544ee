import type { DataSource, EntityManager } from 'typeorm';
import type { ReadModelNomination } from './compare';
import { ReconcileRepository } from './reconcile.repository';

/**
 * The nominations an administrator reconciles: every one still open, and those closed within
 * `closedWithinHours` (a late projection most often concerns the last steps).
 */
export async function reconcilableIds(ds: DataSource, closedWithinHours: number): Promise<string[]> {
  return new ReconcileRepository(ds).reconcilableIds(closedWithinHours);
}

/** The read model's view of these nominations, keyed by id; ids without a row are absent. */
export async function loadReadModel(
  db: DataSource | EntityManager,
  ids: string[],
): Promise<Map<string, ReadModelNomination>> {
  const out = new Map<string, ReadModelNomination>();
  if (!ids.length) return out;
  const repo = new ReconcileRepository(db);
  const rows = await repo.nominations(ids);
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
  const tasks = await repo.openTasks(ids);
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
