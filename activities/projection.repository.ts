import type { DataSource, EntityManager } from 'typeorm';
import { SYSTEM_ACTOR_NAME } from '../src/contracts/audit';
import type { NominationContent, NominationInput, OpenTask } from '../src/contracts/nomination.messages';
import type { ProjectionRecord } from '../src/contracts/projection';
import { MILESTONE_COLUMNS } from '../src/domain/milestones';
import type { Decision } from '../src/domain/nomination';
import { milestoneOf } from '../src/domain/vocabulary';

const CONTENT_COLUMNS: Record<keyof NominationContent, string> = {
  title: 'title',
  description: 'description',
  field: 'field',
  kind: 'kind',
  nomineeName: 'nominee_name',
};

export interface ClosedTask {
  id: string;
  status: 'completed' | 'cancelled';
  decision: Decision | null;
  decidedBy: string | null;
  comment: string | null;
  score: number | null;
  closedAt: string;
}

/**
 * All SQL of recording a nomination workflow's step in the read model and the audit log. Built on a
 * DataSource, or on a transaction's EntityManager (`new ProjectionRepository(m)`).
 */
export class ProjectionRepository {
  constructor(private readonly db: DataSource | EntityManager) {}

  /** Runs `fn` in a transaction, with a repository bound to it. */
  transaction<T>(fn: (repo: ProjectionRepository) => Promise<T>): Promise<T> {
    return this.db.transaction((m) => fn(new ProjectionRepository(m)));
  }

  /** The nomination's row from its first step, unless it exists. */
  async insertNomination(r: ProjectionRecord, n: NominationInput): Promise<void> {
    await this.db.query(
      `INSERT INTO nominations (id, campaign_id, unit_id, district_unit_id, title, description, field, kind,
                              nominee_name, stage, workflow_id, created_by, projection_seq, created_at, updated_at,
                              stage_entered_at)
     VALUES ($1, $2, $3, $13, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $12, $12)
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
        n.districtUnitId ?? n.unitId,
      ],
    );
  }

  /** The step's audit event, keyed by (workflow_id, seq); false when it was recorded before. */
  async insertAuditEvent(r: ProjectionRecord): Promise<boolean> {
    const rows: { id: string }[] = await this.db.query(
      `INSERT INTO audit_events (nomination_id, workflow_id, seq, action, actor_type, actor_user_id, actor_name,
                               actor_role, actor_unit_id, stage_before, stage_after, outcome, task_id, decision,
                               comment, score, occurred_at, on_behalf_of_user_id, on_behalf_of_name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
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
        r.taskId ?? r.openTask?.id ?? null,
        r.decision ?? null,
        r.comment ?? null,
        r.score ?? null,
        r.occurredAt,
        r.onBehalfOf?.userId ?? null,
        r.onBehalfOf?.displayName ?? null,
      ],
    );
    return rows.length > 0;
  }

  /** The nomination's row after the step: stage, outcome, milestones, flags and changed content. */
  async updateNomination(r: ProjectionRecord): Promise<void> {
    const sets = [
      'stage = $2',
      'outcome = $3',
      'projection_seq = $4',
      'updated_at = $5',
      "closed_at = CASE WHEN $2 = 'closed' THEN $5::timestamptz ELSE closed_at END",
    ];
    const params: unknown[] = [r.nominationId, r.stageAfter, r.outcome, r.seq, r.occurredAt];
    const set = (column: string, value: unknown) => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (r.overdue !== undefined) set('overdue', r.overdue);
    if (r.revisions !== undefined) set('revisions', r.revisions);
    // The decisions the funnel, the unit status and the stage times count by (src/domain/vocabulary.ts).
    const milestone = milestoneOf(r.stageBefore, r.decision);
    if (milestone) set(MILESTONE_COLUMNS[milestone], r.occurredAt);
    if (r.stageBefore !== r.stageAfter) set('stage_entered_at', r.occurredAt);
    for (const [key, value] of Object.entries(r.changes ?? {})) {
      set(CONTENT_COLUMNS[key as keyof NominationContent], value);
    }
    // Steps arrive in order, but a late retry of an older one must not roll the row back.
    await this.db.query(
      `UPDATE nominations SET ${sets.join(', ')} WHERE id = $1 AND projection_seq < $4`,
      params,
    );
  }

  /** Closes a task still open. */
  async closeTask(t: ClosedTask): Promise<void> {
    await this.db.query(
      `UPDATE tasks SET status = $2, decision = $3, decided_by = $4, comment = $5, score = $6, closed_at = $7
            WHERE id = $1 AND status = 'open'`,
      [t.id, t.status, t.decision, t.decidedBy, t.comment, t.score, t.closedAt],
    );
  }

  async setTaskDeadline(t: { id: string; dueAt: string; cutoffAt: string }): Promise<void> {
    await this.db.query(`UPDATE tasks SET due_at = $2, cutoff_at = $3 WHERE id = $1`, [
      t.id,
      t.dueAt,
      t.cutoffAt,
    ]);
  }

  async setTaskOverdue(taskId: string, overdue: boolean): Promise<void> {
    await this.db.query(`UPDATE tasks SET overdue = $2 WHERE id = $1`, [taskId, overdue]);
  }

  /** Gives the task to `userId` (claimed at `at`), or back to its unit's pool when null. */
  async setTaskAssignee(t: { id: string; userId: string | null }, at: string): Promise<void> {
    await this.db.query(
      `UPDATE tasks SET assignee_user_id = $2, claimed_at = CASE WHEN $2::uuid IS NULL THEN NULL ELSE $3::timestamptz END
            WHERE id = $1`,
      [t.id, t.userId, at],
    );
  }

  /** The task the step opened, unless it exists. */
  async insertTask(r: ProjectionRecord, t: OpenTask): Promise<void> {
    await this.db.query(
      `INSERT INTO tasks (id, nomination_id, workflow_id, stage, kind, status, allowed_decisions, assignee_role,
                        assignee_unit_id, opened_at, due_at, cutoff_at)
     VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, $11)
     ON CONFLICT (id) DO NOTHING`,
      [
        t.id,
        r.nominationId,
        r.workflowId,
        t.stage,
        t.kind,
        JSON.stringify(t.allowedDecisions),
        t.assigneeRole,
        t.assigneeUnitId,
        t.openedAt,
        t.dueAt,
        t.cutoffAt,
      ],
    );
  }
}
