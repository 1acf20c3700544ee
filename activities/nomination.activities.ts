import { log } from '@temporalio/activity';
import type { DataSource, EntityManager } from 'typeorm';
import { MILESTONE_COLUMNS } from '../src/domain/milestones';
import { milestoneOf } from '../src/domain/vocabulary';
import { refusingBadData } from './data-errors';
import { RESOLVE_STEP_FAILURES } from './step-failures';
import { insertNotices, queueStepEmails } from './notices';
import { SYSTEM_ACTOR_NAME } from '../src/contracts/audit';
import type { NominationContent, OpenTask } from '../src/contracts/nomination.messages';
import type { ProjectionRecord } from '../src/contracts/projection';

const CONTENT_COLUMNS: Record<keyof NominationContent, string> = {
  title: 'title',
  description: 'description',
  field: 'field',
  kind: 'kind',
  nomineeName: 'nominee_name',
};

/**
 * Side effects of nomination workflows. Each call runs in one database transaction whose first write
 * is the audit event keyed by (workflow_id, seq): if that key exists the step was applied before (a
 * retry after a lost reply, or a worker that died mid-way) and nothing else is written.
 *
 * With email on, the same transaction also queues the emails of the step's notifications in the outbox,
 * which the worker's email sender delivers: the step never waits for a mail server.
 */
export class NominationActivities {
  constructor(
    private readonly dataSource: DataSource,
    private readonly email = false,
  ) {}

  /** A step PostgreSQL refuses for its data fails at once, without retry, for the workflow to handle. */
  recordProjection = (r: ProjectionRecord): Promise<{ applied: boolean }> =>
    refusingBadData(() => this.project(r));

  private project = async (r: ProjectionRecord): Promise<{ applied: boolean }> => {
    let emails = 0;
    const applied = await this.dataSource.transaction(async (m) => {
      if (r.nomination) await insertNomination(m, r);
      if (!(await insertAuditEvent(m, r))) {
        // Applied before, perhaps with email off or by a version that sent after its commit: queue what
        // was not emailed (the outbox's unique key makes this a no-op when it was queued).
        if (this.email && r.notify?.length) emails = await queueStepEmails(m, r);
        return false;
      }
      await updateNomination(m, r);
      if (r.closeTask) {
        await m.query(
          `UPDATE tasks SET status = $2, decision = $3, decided_by = $4, comment = $5, score = $6, closed_at = $7
            WHERE id = $1 AND status = 'open'`,
          [
            r.closeTask.id,
            r.closeTask.status,
            r.decision ?? null,
            r.closeTask.status === 'completed' ? (r.actor?.userId ?? null) : null,
            r.comment ?? null,
            r.score ?? null,
            r.occurredAt,
          ],
        );
      }
      if (r.taskDeadline) {
        await m.query(`UPDATE tasks SET due_at = $2, cutoff_at = $3 WHERE id = $1`, [
          r.taskDeadline.id,
          r.taskDeadline.dueAt,
          r.taskDeadline.cutoffAt,
        ]);
      }
      if (r.overdue !== undefined && r.taskId) {
        await m.query(`UPDATE tasks SET overdue = $2 WHERE id = $1`, [r.taskId, r.overdue]);
      }
      if (r.taskAssignee) {
        await m.query(
          `UPDATE tasks SET assignee_user_id = $2, claimed_at = CASE WHEN $2::uuid IS NULL THEN NULL ELSE $3::timestamptz END
            WHERE id = $1`,
          [r.taskAssignee.id, r.taskAssignee.userId, r.occurredAt],
        );
      }
      if (r.openTask) await insertTask(m, r, r.openTask);
      await insertNotices(m, r, r.notify ?? []);
      await m.query(RESOLVE_STEP_FAILURES, [r.workflowId, r.occurredAt, r.stillHeld ?? null]);
      if (this.email && r.notify?.length) emails = await queueStepEmails(m, r);
      return true;
    });
    log.info(applied ? 'projection recorded' : 'projection already recorded', {
      nominationId: r.nominationId,
      workflowId: r.workflowId,
      seq: r.seq,
      action: r.action,
      stage: r.stageAfter,
      ...(emails ? { emailsQueued: emails } : {}),
    });
    return { applied };
  };
}

async function insertNomination(m: EntityManager, r: ProjectionRecord): Promise<void> {
  const n = r.nomination!;
  await m.query(
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

async function updateNomination(m: EntityManager, r: ProjectionRecord): Promise<void> {
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
  await m.query(`UPDATE nominations SET ${sets.join(', ')} WHERE id = $1 AND projection_seq < $4`, params);
}

async function insertAuditEvent(m: EntityManager, r: ProjectionRecord): Promise<boolean> {
  const rows: unknown[] = await m.query(
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

async function insertTask(m: EntityManager, r: ProjectionRecord, t: OpenTask): Promise<void> {
  await m.query(
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
