import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { escapeLike } from '../common/sql';
import { type ProposalCount, type Quotas } from '../domain/campaign';
import { funnelCondition } from '../domain/milestones';
import type { Decision, Field, NominationStage, Outcome, Role } from '../domain/nomination';
import { SCOPE_CTE, scopeCte } from '../units/scope.repository';
import { coveringNow } from '../absences/covering';
import type { Task } from './task.entity';

/** A task row as the inbox reads it: the task's columns, and what the inbox shows of its nomination. */
export interface InboxRow {
  id: string;
  nomination_id: string;
  workflow_id: string;
  stage: string;
  kind: string;
  status: string;
  allowed_decisions: string[];
  assignee_role: string;
  assignee_unit_id: string;
  assignee_user_id: string | null;
  claimed_at: Date | null;
  due_at: Date;
  cutoff_at: Date | null;
  overdue: boolean;
  opened_at: Date;
  closed_at: Date | null;
  decision: string | null;
  decided_by: string | null;
  comment: string | null;
  score: number | null;
  title: string;
  nominee_name: string;
  nomination_unit_id: string;
  unit_name: string;
  field: string;
  nomination_kind: string;
  claimed_by_name: string | null;
  covering_for: string | null;
  /** The task's unit lies within the viewer's (for an administrator's task.decide). */
  assignee_within: boolean;
}

/** Whose tasks a page of the inbox holds: an admin's subtree, a reviewer's history, or their open work. */
export type InboxVisibility = 'subtree' | 'decided_or_pooled' | 'held_pooled_covering';

export interface InboxQuery {
  userId: string;
  unitId: string;
  role: Role;
  status: string;
  limit: number;
  visibility: InboxVisibility;
  nominationId?: string;
  stage?: string;
  overdue?: boolean;
  field?: string;
  q?: string;
  after?: { at: string | Date; id: string };
}

export type VisibleTask = Task & { nominationUnitId: string; projectionSeq: number };

export interface UserRef {
  id: string;
  display_name: string;
  role: Role;
  unit_id: string;
}

export interface HeldTaskRow {
  id: string;
  workflow_id: string;
  nomination_id: string;
  projection_seq: number;
}

export interface RecordedDecisionRow {
  nomination_id: string;
  decision: Decision;
  stage: NominationStage;
  outcome: Outcome | null;
  next_task_id: string | null;
}

export interface ProposalContextRow {
  campaign_id: string;
  district_unit_id: string;
  field: Field;
  quotas: Quotas;
  unit_name: string;
}

/**
 * All SQL of tasks (the inbox, task visibility, absence cover as tasks see it, proposal reservations).
 * Built on a DataSource, or on a transaction's EntityManager (`new TasksRepository(m)`).
 */
@Injectable()
export class TasksRepository {
  constructor(@InjectDataSource() private readonly db: DataSource | EntityManager) {}

  /**
   * One page of the inbox, due first. Each half is read from its own index and cut at the page size
   * before they are merged, so a pool of 100,000 tasks costs one index range scan, not a sort.
   */
  inbox(q: InboxQuery): Promise<InboxRow[]> {
    const params: unknown[] = [q.userId, q.unitId, q.role, q.status, q.limit + 1];
    const p = (value: unknown) => `$${params.push(value)}`;
    const filters: string[] = [];
    if (q.nominationId) filters.push(`t.nomination_id = ${p(q.nominationId)}`);
    if (q.stage) filters.push(`t.stage = ${p(q.stage)}`);
    if (q.overdue !== undefined) filters.push(`t.overdue = ${p(q.overdue)}`);
    if (q.field) filters.push(`n.field = ${p(q.field)}`);
    if (q.q?.trim()) {
      filters.push(
        `n.search_text LIKE '%' || lower(immutable_unaccent(${p(escapeLike(q.q.trim().normalize('NFC')))})) || '%'`,
      );
    }
    if (q.after) {
      filters.push(`(t.due_at, t.id) > (${p(q.after.at)}::timestamptz, ${p(q.after.id)}::uuid)`);
    }
    const where = (visibility: string) =>
      `SELECT t.id, t.due_at FROM tasks t JOIN nominations n ON n.id = t.nomination_id
        WHERE t.status = $4 AND ${visibility} ${filters.map((f) => `AND ${f}`).join(' ')}
        ORDER BY t.due_at, t.id LIMIT $5`;
    const halves = {
      subtree: [
        where(`(n.unit_id IN (SELECT id FROM scope) OR t.assignee_unit_id IN (SELECT id FROM scope))`),
      ],
      decided_or_pooled: [where(`(t.decided_by = $1 OR (t.assignee_unit_id = $2 AND t.assignee_role = $3))`)],
      held_pooled_covering: [
        where(`t.assignee_user_id = $1`),
        where(`t.assignee_user_id IS NULL AND t.assignee_unit_id = $2 AND t.assignee_role = $3`),
        where(`t.assignee_user_id IN (SELECT user_id FROM covering)`),
      ],
    }[q.visibility];
    return this.db.query(
      // \`typed\` names every parameter's type once: each inbox half uses only some of them.
      `${scopeCte('$2')},
       typed AS (SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::int),
       covering AS (SELECT a.user_id FROM absences a WHERE ${coveringNow('a', '$1')}),
       page AS (SELECT * FROM (${halves.map((h) => `(${h})`).join(' UNION ')}) halves ORDER BY due_at, id LIMIT $5)
       SELECT t.*, n.title, n.nominee_name, n.unit_id AS nomination_unit_id, u.name AS unit_name, n.field,
              n.kind AS nomination_kind, holder.display_name AS claimed_by_name,
              CASE WHEN t.assignee_user_id IN (SELECT user_id FROM covering) THEN t.assignee_user_id END AS covering_for,
              t.assignee_unit_id IN (SELECT id FROM scope) AS assignee_within
         FROM page JOIN tasks t ON t.id = page.id
         JOIN nominations n ON n.id = t.nomination_id
         JOIN units u ON u.id = n.unit_id
         LEFT JOIN users holder ON holder.id = t.assignee_user_id
        ORDER BY t.due_at, t.id`,
      params,
    );
  }

  /** A task of a nomination in the unit's subtree, or assigned to a unit in it. */
  async visibleTask(unitId: string, taskId: string): Promise<VisibleTask | undefined> {
    const [row]: VisibleTask[] = await this.db.query(
      `${SCOPE_CTE}
       SELECT t.id, t.workflow_id AS "workflowId", t.nomination_id AS "nominationId", t.stage,
              t.assignee_unit_id AS "assigneeUnitId", t.assignee_user_id AS "assigneeUserId",
              n.unit_id AS "nominationUnitId", n.projection_seq AS "projectionSeq"
         FROM tasks t JOIN nominations n ON n.id = t.nomination_id
        WHERE t.id = $2 AND (n.unit_id IN (SELECT id FROM scope) OR t.assignee_unit_id IN (SELECT id FROM scope))`,
      [unitId, taskId],
    );
    return row;
  }

  /** One task as the inbox shows it to `viewerId`. */
  async inboxTask(taskId: string, viewerId: string, viewerUnitId: string): Promise<InboxRow> {
    const [row]: InboxRow[] = await this.db.query(
      `${scopeCte('$3')}
       SELECT t.*, n.title, n.nominee_name, n.unit_id AS nomination_unit_id, u.name AS unit_name, n.field,
              n.kind AS nomination_kind, holder.display_name AS claimed_by_name,
              (SELECT a.user_id FROM absences a WHERE ${coveringNow('a', '$2')} AND a.user_id = t.assignee_user_id
                  LIMIT 1) AS covering_for,
              t.assignee_unit_id IN (SELECT id FROM scope) AS assignee_within
         FROM tasks t JOIN nominations n ON n.id = t.nomination_id JOIN units u ON u.id = n.unit_id
         LEFT JOIN users holder ON holder.id = t.assignee_user_id
        WHERE t.id = $1`,
      [taskId, viewerId, viewerUnitId],
    );
    return row;
  }

  /** An active user within the unit's subtree. */
  async activeUserWithin(unitId: string, userId: string): Promise<UserRef | undefined> {
    const [u]: UserRef[] = await this.db.query(
      `${SCOPE_CTE} SELECT id, display_name, role, unit_id FROM users
        WHERE id = $2 AND active AND unit_id IN (SELECT id FROM scope)`,
      [unitId, userId],
    );
    return u;
  }

  /** The holder, when `actingUserId` is covering for them right now (absence cover). */
  async coveredHolder(actingUserId: string, holderId: string): Promise<UserRef | undefined> {
    const [u]: UserRef[] = await this.db.query(
      `SELECT u.id, u.display_name, u.role, u.unit_id FROM absences a JOIN users u ON u.id = a.user_id
        WHERE ${coveringNow('a', '$1')} AND a.user_id = $2 LIMIT 1`,
      [actingUserId, holderId],
    );
    return u;
  }

  /** The open tasks a user holds. */
  openTasksHeldBy(userId: string): Promise<HeldTaskRow[]> {
    return this.db.query(
      `SELECT t.id, t.workflow_id, t.nomination_id, n.projection_seq
           FROM tasks t JOIN nominations n ON n.id = t.nomination_id
          WHERE t.assignee_user_id = $1 AND t.status = 'open'`,
      [userId],
    );
  }

  /** The task completed with exactly this person's decision, and what it left. */
  async recordedDecision(
    taskId: string,
    d: { userId: string; decision: string; comment?: string; score?: number },
  ): Promise<RecordedDecisionRow | undefined> {
    const [row]: RecordedDecisionRow[] = await this.db.query(
      `SELECT t.nomination_id, t.decision, n.stage, n.outcome,
            (SELECT o.id FROM tasks o WHERE o.nomination_id = t.nomination_id AND o.status = 'open' LIMIT 1)
              AS next_task_id
       FROM tasks t JOIN nominations n ON n.id = t.nomination_id
      WHERE t.id = $1 AND t.status = 'completed' AND t.decided_by = $2 AND t.decision = $3
        AND t.comment IS NOT DISTINCT FROM $4 AND t.score IS NOT DISTINCT FROM $5`,
      [taskId, d.userId, d.decision, d.comment ?? null, d.score ?? null],
    );
    return row;
  }

  /** What a proposal's quota is judged on: its campaign's quotas and its district-level unit. */
  async proposalContext(nominationId: string): Promise<ProposalContextRow | undefined> {
    const [n]: ProposalContextRow[] = await this.db.query(
      `SELECT n.campaign_id, n.district_unit_id, n.field, c.quotas, u.name AS unit_name
         FROM nominations n JOIN campaigns c ON c.id = n.campaign_id JOIN units u ON u.id = n.district_unit_id
        WHERE n.id = $1`,
      [nominationId],
    );
    return n;
  }

  /** Runs `fn` in a transaction, with a repository bound to it. */
  transaction<T>(fn: (repo: TasksRepository) => Promise<T>): Promise<T> {
    return this.db.transaction((m) => fn(new TasksRepository(m)));
  }

  /** Serialises, across processes, the transaction's work on one key until it ends. */
  async lockForTransaction(key: string): Promise<void> {
    await this.db.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [key]);
  }

  async deleteLapsedReservations(campaignId: string, districtUnitId: string): Promise<void> {
    await this.db.query(
      `DELETE FROM proposal_reservations WHERE campaign_id = $1 AND district_unit_id = $2 AND expires_at <= now()`,
      [campaignId, districtUnitId],
    );
  }

  /** A unit's proposals (and live reservations), overall and in one field, leaving one nomination out. */
  async proposalCount(
    campaignId: string,
    districtUnitId: string,
    field: Field,
    exceptNominationId: string,
  ): Promise<Pick<ProposalCount, 'proposed' | 'proposedInField'>> {
    const [c]: { proposed: number; in_field: number }[] = await this.db.query(
      `SELECT count(*)::int AS proposed, count(*) FILTER (WHERE n.field = $3)::int AS in_field
         FROM nominations n
        WHERE n.campaign_id = $1 AND n.district_unit_id = $2 AND n.id <> $4
          AND (${funnelCondition('proposed', 'n')} OR EXISTS (
                SELECT 1 FROM proposal_reservations r WHERE r.nomination_id = n.id AND r.expires_at > now()))`,
      [campaignId, districtUnitId, field, exceptNominationId],
    );
    return { proposed: c.proposed, proposedInField: c.in_field };
  }

  async upsertReservation(r: {
    taskId: string;
    nominationId: string;
    campaignId: string;
    districtUnitId: string;
    ttlMs: number;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO proposal_reservations (task_id, nomination_id, campaign_id, district_unit_id, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
       ON CONFLICT (task_id) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
      [r.taskId, r.nominationId, r.campaignId, r.districtUnitId, r.ttlMs / 1000],
    );
  }

  async deleteReservation(taskId: string): Promise<void> {
    await this.db.query(`DELETE FROM proposal_reservations WHERE task_id = $1`, [taskId]);
  }
}
