import { log } from '@temporalio/activity';
import type { DataSource, EntityManager } from 'typeorm';
import type { Decision, NominationStage, Outcome } from '../src/domain/nomination';
import type { Actor, NominationInput, OpenTask } from '../workflows/messages';

/** One step of a nomination workflow, as the read model and the audit log must show it. */
export interface ProjectionRecord {
  workflowId: string;
  nominationId: string;
  /** Step number within the workflow; (workflowId, seq) makes the write idempotent. */
  seq: number;
  occurredAt: string;
  action: 'registered' | 'decided';
  /** Null when the system acted (a timer, a cut-off); never a person's name for an automatic step. */
  actor: Actor | null;
  stageBefore: NominationStage | null;
  stageAfter: NominationStage;
  outcome: Outcome | null;
  /** Present on the first step only: the nomination's content, so the row exists even if the API's insert was lost. */
  nomination?: NominationInput;
  decision?: { taskId: string; decision: Decision; comment: string | null; score: number | null };
  openTask?: OpenTask | null;
}

export const SYSTEM_ACTOR_NAME = 'system';

/**
 * Side effects of nomination workflows. Each call runs in one database transaction whose first write
 * is the audit event keyed by (workflow_id, seq): if that key exists the step was applied before (a
 * retry after a lost reply, or a worker that died mid-way) and nothing else is written.
 */
export class NominationActivities {
  constructor(private readonly dataSource: DataSource) {}

  recordProjection = async (r: ProjectionRecord): Promise<{ applied: boolean }> => {
    const applied = await this.dataSource.transaction(async (m) => {
      if (r.nomination) await insertNomination(m, r);
      if (!(await insertAuditEvent(m, r))) return false;
      await m.query(
        `UPDATE nominations SET stage = $2, outcome = $3, projection_seq = $4, updated_at = $5,
                closed_at = CASE WHEN $2 = 'closed' THEN $5::timestamptz ELSE closed_at END
          WHERE id = $1 AND projection_seq < $4`,
        [r.nominationId, r.stageAfter, r.outcome, r.seq, r.occurredAt],
      );
      if (r.decision) {
        await m.query(
          `UPDATE tasks SET status = 'completed', decision = $2, decided_by = $3, comment = $4, score = $5, closed_at = $6
            WHERE id = $1`,
          [
            r.decision.taskId,
            r.decision.decision,
            r.actor?.userId ?? null,
            r.decision.comment,
            r.decision.score,
            r.occurredAt,
          ],
        );
      }
      if (r.openTask) await insertTask(m, r, r.openTask);
      return true;
    });
    log.info(applied ? 'projection recorded' : 'projection already recorded', {
      nominationId: r.nominationId,
      workflowId: r.workflowId,
      seq: r.seq,
      action: r.action,
      stage: r.stageAfter,
    });
    return { applied };
  };
}

async function insertNomination(m: EntityManager, r: ProjectionRecord): Promise<void> {
  const n = r.nomination!;
  await m.query(
    `INSERT INTO nominations (id, campaign_id, unit_id, title, description, field, kind, nominee_name, stage,
                              workflow_id, created_by, projection_seq, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $12)
     ON CONFLICT (id) DO NOTHING`,
    [
      n.nominationId,
      n.campaignId,
      n.unitId,
      n.title,
      n.description,
      n.field,
      n.kind,
      n.nomineeName,
      r.stageAfter,
      r.workflowId,
      n.submittedBy.userId,
      r.occurredAt,
    ],
  );
}

async function insertAuditEvent(m: EntityManager, r: ProjectionRecord): Promise<boolean> {
  const rows: unknown[] = await m.query(
    `INSERT INTO audit_events (nomination_id, workflow_id, seq, action, actor_type, actor_user_id, actor_name,
                               actor_role, actor_unit_id, stage_before, stage_after, outcome, task_id, decision,
                               comment, score, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     ON CONFLICT (workflow_id, seq) DO NOTHING
     RETURNING id`,
    [
      r.nominationId,
      r.workflowId,
      r.seq,
      r.action,
      r.actor ? 'user' : 'system',
      r.actor?.userId ?? null,
      r.actor?.displayName ?? SYSTEM_ACTOR_NAME,
      r.actor?.role ?? null,
      r.actor?.unitId ?? null,
      r.stageBefore,
      r.stageAfter,
      r.outcome,
      r.decision?.taskId ?? r.openTask?.id ?? null,
      r.decision?.decision ?? null,
      r.decision?.comment ?? null,
      r.decision?.score ?? null,
      r.occurredAt,
    ],
  );
  return rows.length > 0;
}

async function insertTask(m: EntityManager, r: ProjectionRecord, t: OpenTask): Promise<void> {
  await m.query(
    `INSERT INTO tasks (id, nomination_id, workflow_id, stage, status, allowed_decisions, assignee_role,
                        assignee_unit_id, opened_at)
     VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8)
     ON CONFLICT (id) DO NOTHING`,
    [
      t.id,
      r.nominationId,
      r.workflowId,
      t.stage,
      JSON.stringify(t.allowedDecisions),
      t.assigneeRole,
      t.assigneeUnitId,
      t.openedAt,
    ],
  );
}
