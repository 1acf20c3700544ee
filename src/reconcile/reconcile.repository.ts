import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { ReadModelNomination } from './compare';

export interface NominationRow {
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

export interface TaskRow {
  id: string;
  nomination_id: string;
  kind: string;
  stage: string;
  due_at: Date | null;
  cutoff_at: Date | null;
  assignee_user_id: string | null;
}

/** All SQL of reconciling the read model with the workflows (reading it, and repairing a nomination). */
@Injectable()
export class ReconcileRepository {
  constructor(@InjectDataSource() private readonly db: DataSource | EntityManager) {}

  /** Runs `fn` in a transaction, with a repository bound to it. */
  transaction<T>(fn: (repo: ReconcileRepository) => Promise<T>): Promise<T> {
    return this.db.transaction((m) => fn(new ReconcileRepository(m)));
  }

  /** Every nomination still open, and those closed within `closedWithinHours`, oldest first. */
  async reconcilableIds(closedWithinHours: number): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM nominations
      WHERE stage <> 'closed' OR closed_at IS NULL OR closed_at > now() - make_interval(hours => $1)
      ORDER BY created_at, id`,
      [closedWithinHours],
    );
    return rows.map((r) => r.id);
  }

  nominations(ids: string[]): Promise<NominationRow[]> {
    return this.db.query(
      `SELECT id, workflow_id, stage, outcome, revisions, overdue, title, description, field, kind, nominee_name,
            projection_seq
       FROM nominations WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }

  openTasks(ids: string[]): Promise<TaskRow[]> {
    return this.db.query(
      `SELECT id, nomination_id, kind, stage, due_at, cutoff_at, assignee_user_id
       FROM tasks WHERE status = 'open' AND nomination_id = ANY($1::uuid[]) ORDER BY opened_at, id`,
      [ids],
    );
  }

  /** The nomination's projection_seq, the row locked until the transaction ends. */
  async lockProjectionSeq(id: string): Promise<number | undefined> {
    const [row]: { projection_seq: number }[] = await this.db.query(
      `SELECT projection_seq FROM nominations WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row?.projection_seq;
  }

  async writeNomination(
    id: string,
    n: Omit<ReadModelNomination, 'id' | 'workflowId' | 'projectionSeq' | 'openTasks'>,
  ): Promise<void> {
    await this.db.query(
      `UPDATE nominations
          SET stage = $2, outcome = $3, revisions = $4, overdue = $5, title = $6, description = $7, field = $8,
              kind = $9, nominee_name = $10, updated_at = now(),
              closed_at = CASE WHEN $2 = 'closed' THEN COALESCE(closed_at, now()) ELSE NULL END
        WHERE id = $1`,
      [
        id,
        n.stage,
        n.outcome,
        n.revisions,
        n.overdue,
        n.title,
        n.description,
        n.field,
        n.kind,
        n.nomineeName,
      ],
    );
  }

  /** Cancels the nomination's open tasks but `keepTaskId`. */
  async cancelOpenTasks(nominationId: string, keepTaskId: string | null): Promise<void> {
    await this.db.query(
      `UPDATE tasks SET status = 'cancelled', closed_at = now()
        WHERE nomination_id = $1 AND status = 'open' AND ($2::uuid IS NULL OR id <> $2::uuid)`,
      [nominationId, keepTaskId],
    );
  }

  /** Writes the open task as the workflow has it (reopening it if the read model had closed it). */
  async upsertOpenTask(t: {
    id: string;
    nominationId: string;
    workflowId: string;
    stage: string;
    kind: string;
    allowedDecisions: readonly string[];
    assigneeRole: string;
    assigneeUnitId: string;
    assigneeUserId: string | null;
    openedAt: string;
    dueAt: string | null;
    cutoffAt: string | null;
    overdue: boolean;
  }): Promise<void> {
    await this.db.query(
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
        t.nominationId,
        t.workflowId,
        t.stage,
        t.kind,
        JSON.stringify(t.allowedDecisions),
        t.assigneeRole,
        t.assigneeUnitId,
        t.assigneeUserId,
        t.openedAt,
        t.dueAt,
        t.cutoffAt,
        t.overdue,
      ],
    );
  }

  /** An audit event of a repair, after the repairs already audited under `auditWorkflowId`. */
  async insertRepairAudit(a: {
    nominationId: string;
    auditWorkflowId: string;
    actorUserId: string;
    actorName: string;
    actorUnitId: string;
    stageBefore: string;
    stageAfter: string;
    outcome: string | null;
    taskId: string | null;
    comment: string;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_events (nomination_id, workflow_id, seq, action, actor_type, actor_user_id, actor_name,
                                 actor_role, actor_unit_id, stage_before, stage_after, outcome, task_id, comment,
                                 occurred_at)
       SELECT $1, $2::text, COALESCE(MAX(seq), 0) + 1, 'reconciled', 'user', $3, $4, 'admin', $5, $6, $7, $8, $9,
              $10, now()
         FROM audit_events WHERE workflow_id = $2::text`,
      [
        a.nominationId,
        a.auditWorkflowId,
        a.actorUserId,
        a.actorName,
        a.actorUnitId,
        a.stageBefore,
        a.stageAfter,
        a.outcome,
        a.taskId,
        a.comment,
      ],
    );
  }
}
