import type { DataSource } from 'typeorm';
import type { NominationState } from '../contracts/nomination.messages';
import type { Difference, ReadModelNomination } from './compare';

/** The administrator in whose name a repair is audited. */
export interface RepairActor {
  userId: string;
  displayName: string;
  unitId: string;
}

/** Audit events of repairs are keyed apart from the workflow's own steps, whose `seq` they must not take. */
export function repairAuditWorkflowId(workflowId: string): string {
  return `reconcile:${workflowId}`;
}

/**
 * Writes the workflow's state into the read model in one transaction, with an audit event naming the
 * administrator and the differences. Returns false, writing nothing, when a projection changed the row
 * since it was compared (the comparison is stale: run again).
 */
export async function repairNomination(
  ds: DataSource,
  rm: ReadModelNomination,
  wf: NominationState,
  diffs: Difference[],
  actor: RepairActor,
): Promise<boolean> {
  return ds.transaction(async (m) => {
    const [row]: { projection_seq: number }[] = await m.query(
      `SELECT projection_seq FROM nominations WHERE id = $1 FOR UPDATE`,
      [rm.id],
    );
    if (!row || row.projection_seq !== rm.projectionSeq) return false;
    const c = wf.content;
    await m.query(
      `UPDATE nominations
          SET stage = $2, outcome = $3, revisions = $4, overdue = $5, title = $6, description = $7, field = $8,
              kind = $9, nominee_name = $10, updated_at = now(),
              closed_at = CASE WHEN $2 = 'closed' THEN COALESCE(closed_at, now()) ELSE NULL END
        WHERE id = $1`,
      [
        rm.id,
        wf.stage,
        wf.outcome,
        wf.revisions,
        wf.overdue,
        c.title,
        c.description,
        c.field,
        c.kind,
        c.nomineeName,
      ],
    );
    const t = wf.task;
    await m.query(
      `UPDATE tasks SET status = 'cancelled', closed_at = now()
        WHERE nomination_id = $1 AND status = 'open' AND ($2::uuid IS NULL OR id <> $2::uuid)`,
      [rm.id, t?.id ?? null],
    );
    if (t) {
      await m.query(
        `INSERT INTO tasks (id, nomination_id, workflow_id, stage, kind, status, allowed_decisions, assignee_role,
                            assignee_unit_id, assignee_user_id, opened_at, due_at, cutoff_at, overdue)
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (id) DO UPDATE
           SET stage = EXCLUDED.stage, kind = EXCLUDED.kind, status = 'open',
               allowed_decisions = EXCLUDED.allowed_decisions, assignee_role = EXCLUDED.assignee_role,
               assignee_unit_id = EXCLUDED.assignee_unit_id, assignee_user_id = EXCLUDED.assignee_user_id,
               due_at = EXCLUDED.due_at, cutoff_at = EXCLUDED.cutoff_at, overdue = EXCLUDED.overdue,
               closed_at = NULL, decision = NULL, decided_by = NULL`,
        [
          t.id,
          rm.id,
          rm.workflowId,
          t.stage,
          t.kind,
          JSON.stringify(t.allowedDecisions),
          t.assigneeRole,
          t.assigneeUnitId,
          t.assigneeUserId ?? null,
          t.openedAt,
          t.dueAt,
          t.cutoffAt,
          wf.overdue,
        ],
      );
    }
    const auditId = repairAuditWorkflowId(rm.workflowId);
    await m.query(
      `INSERT INTO audit_events (nomination_id, workflow_id, seq, action, actor_type, actor_user_id, actor_name,
                                 actor_role, actor_unit_id, stage_before, stage_after, outcome, task_id, comment,
                                 occurred_at)
       SELECT $1, $2::text, COALESCE(MAX(seq), 0) + 1, 'reconciled', 'user', $3, $4, 'admin', $5, $6, $7, $8, $9,
              $10, now()
         FROM audit_events WHERE workflow_id = $2::text`,
      [
        rm.id,
        auditId,
        actor.userId,
        actor.displayName,
        actor.unitId,
        rm.stage,
        wf.stage,
        wf.outcome,
        t?.id ?? null,
        `read model repaired from the workflow's state: ${describe(diffs)}`,
      ],
    );
    return true;
  });
}

function describe(diffs: Difference[]): string {
  return diffs
    .map((d) => `${d.field} ${JSON.stringify(d.readModel)} → ${JSON.stringify(d.workflow)}`)
    .join('; ');
}
