import {
  ForbiddenException,
  HttpException,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import { jsonLog } from '../logging/json-log';
import { actorOf } from '../nominations/nominations.service';
import { refusalToHttp } from '../temporal/update-errors';
import { TemporalCalls } from '../temporal/temporal-calls';
import { decisionUpdateId, requestUpdateId } from '../temporal/update-ids';
import type { Role } from '../domain/nomination';
import { decodeCursor, PAGE_LIMIT_DEFAULT, pageOf, type Page } from '../common/page';
import { escapeLike } from '../common/sql';
import { isWithin, SCOPE_CTE } from '../units/scope';
import {
  type Actor,
  assignUpdate,
  decideUpdate,
  type DecisionInput,
  type DecisionResult,
} from '../contracts/nomination.messages';
import { recordedDecision } from './recorded-decision';
import { releaseReservation, reservationTtlMs, reserveProposal } from './proposal-quota';
import type { DecisionDto, InboxTaskDto, ListTasksQuery, ReassignDto } from './task.dto';
import { Task } from './task.entity';

@Injectable()
export class TasksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly temporal: TemporalCalls,
  ) {}

  /**
   * The caller's inbox, due first: the tasks they hold, their unit's unclaimed pool for their role, and
   * the tasks of colleagues they are covering for. An administrator sees every task in their subtree.
   * Each half is read from its own index and cut at the page size before they are merged, so a pool of
   * 100,000 tasks costs one index range scan, not a sort. Paged by a (due date, id) cursor.
   */
  async list(user: CurrentUser, q: ListTasksQuery): Promise<Page<InboxTaskDto>> {
    const limit = q.limit ?? PAGE_LIMIT_DEFAULT;
    const params: unknown[] = [user.id, user.unitId, user.role, q.status ?? 'open', limit + 1];
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
    if (q.cursor) {
      const { at, id } = decodeCursor(q.cursor);
      filters.push(`(t.due_at, t.id) > (${p(at)}::timestamptz, ${p(id)}::uuid)`);
    }
    const where = (visibility: string) =>
      `SELECT t.id, t.due_at FROM tasks t JOIN nominations n ON n.id = t.nomination_id
        WHERE t.status = $4 AND ${visibility} ${filters.map((f) => `AND ${f}`).join(' ')}
        ORDER BY t.due_at, t.id LIMIT $5`;
    const halves =
      user.role === 'admin'
        ? [where(`(n.unit_id IN (SELECT id FROM scope) OR t.assignee_unit_id IN (SELECT id FROM scope))`)]
        : q.status && q.status !== 'open'
          ? [where(`(t.decided_by = $1 OR (t.assignee_unit_id = $2 AND t.assignee_role = $3))`)]
          : [
              where(`t.assignee_user_id = $1`),
              where(`t.assignee_user_id IS NULL AND t.assignee_unit_id = $2 AND t.assignee_role = $3`),
              where(`t.assignee_user_id IN (SELECT user_id FROM covering)`),
            ];
    const rows: InboxRow[] = await this.dataSource.query(
      // \`typed\` names every parameter's type once: each inbox half uses only some of them.
      `WITH RECURSIVE typed AS (SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::int),
       scope AS (
         SELECT id FROM units WHERE id = $2
         UNION ALL SELECT u.id FROM units u JOIN scope s ON u.parent_id = s.id),
       covering AS (SELECT user_id FROM absences WHERE acting_user_id = $1 AND starts_at <= now() AND ends_at > now()),
       page AS (SELECT * FROM (${halves.map((h) => `(${h})`).join(' UNION ')}) halves ORDER BY due_at, id LIMIT $5)
       SELECT t.*, n.title, n.nominee_name, n.unit_id AS nomination_unit_id, u.name AS unit_name, n.field,
              n.kind AS nomination_kind, holder.display_name AS claimed_by_name,
              CASE WHEN t.assignee_user_id IN (SELECT user_id FROM covering) THEN t.assignee_user_id END AS covering_for
         FROM page JOIN tasks t ON t.id = page.id
         JOIN nominations n ON n.id = t.nomination_id
         JOIN units u ON u.id = n.unit_id
         LEFT JOIN users holder ON holder.id = t.assignee_user_id
        ORDER BY t.due_at, t.id`,
      params,
    );
    return pageOf(rows, limit, (r) => [r.due_at, r.id], toInboxTask);
  }

  /** A task the caller may see: of a nomination in their subtree, or assigned to a unit in it. Else 404. */
  private async visibleTask(user: CurrentUser, taskId: string): Promise<VisibleTask> {
    const [row]: VisibleTask[] = await this.dataSource.query(
      `${SCOPE_CTE}
       SELECT t.id, t.workflow_id AS "workflowId", t.nomination_id AS "nominationId", t.stage,
              t.assignee_unit_id AS "assigneeUnitId", t.assignee_user_id AS "assigneeUserId",
              n.unit_id AS "nominationUnitId", n.projection_seq AS "projectionSeq"
         FROM tasks t JOIN nominations n ON n.id = t.nomination_id
        WHERE t.id = $2 AND (n.unit_id IN (SELECT id FROM scope) OR t.assignee_unit_id IN (SELECT id FROM scope))`,
      [user.unitId, taskId],
    );
    if (!row) throw new NotFoundException('task not found');
    return row;
  }

  /** Claims, unclaims or reassigns a task through its workflow; answers with the task as the inbox shows it. */
  async assign(
    user: CurrentUser,
    taskId: string,
    kind: 'claim' | 'unclaim' | 'reassign',
    dto?: ReassignDto,
  ): Promise<InboxTaskDto> {
    const task = await this.visibleTask(user, taskId);
    if (kind === 'reassign' && user.role !== 'admin')
      throw new ForbiddenException('only an admin may reassign a task');
    const assignee = kind === 'reassign' ? await this.assigneeWithin(user, dto!.userId) : undefined;
    const request = { taskId, kind, actor: actorOf(user), assignee, reason: dto?.reason };
    // Reviewers racing to claim learn who won, not merely that the workflow was busy with the winner.
    await this.temporal
      .run(kind === 'claim' ? 'request' : 'update', (client) =>
        client.workflow.getHandle(task.workflowId).executeUpdate(assignUpdate, {
          args: [request],
          updateId: requestUpdateId('assign', task.workflowId, user.id, task.projectionSeq, request),
        }),
      )
      .catch((err: unknown) => {
        throw refusalToHttp(err);
      });
    jsonLog('info', { claim: 'task claimed', unclaim: 'task unclaimed', reassign: 'task reassigned' }[kind], {
      component: 'tasks',
      nominationId: task.nominationId,
      workflowId: task.workflowId,
      taskId,
      userId: user.id,
      assigneeUserId: assignee?.userId,
    });
    return this.one(user, taskId);
  }

  private async one(user: CurrentUser, taskId: string): Promise<InboxTaskDto> {
    const [row]: InboxRow[] = await this.dataSource.query(
      `SELECT t.*, n.title, n.nominee_name, n.unit_id AS nomination_unit_id, u.name AS unit_name, n.field,
              n.kind AS nomination_kind, holder.display_name AS claimed_by_name,
              (SELECT a.user_id FROM absences a WHERE a.acting_user_id = $2 AND a.user_id = t.assignee_user_id
                  AND a.starts_at <= now() AND a.ends_at > now() LIMIT 1) AS covering_for
         FROM tasks t JOIN nominations n ON n.id = t.nomination_id JOIN units u ON u.id = n.unit_id
         LEFT JOIN users holder ON holder.id = t.assignee_user_id
        WHERE t.id = $1`,
      [taskId, user.id],
    );
    return toInboxTask(row);
  }

  /** The user a task is reassigned to: active and within the caller's subtree, else as unknown as a stranger. */
  private async assigneeWithin(user: CurrentUser, userId: string): Promise<Actor> {
    const [u]: { id: string; display_name: string; role: Role; unit_id: string }[] =
      await this.dataSource.query(
        `${SCOPE_CTE} SELECT id, display_name, role, unit_id FROM users
        WHERE id = $2 AND active AND unit_id IN (SELECT id FROM scope)`,
        [user.unitId, userId],
      );
    if (!u) throw new UnprocessableEntityException('userId: no active user with this id');
    return { userId: u.id, displayName: u.display_name, role: u.role, unitId: u.unit_id };
  }

  /**
   * Asks the nomination's workflow to apply a decision and returns its answer. The workflow's validator
   * is the judge; a refusal comes back as 403/409/422 with its reason. The Update id is derived from
   * the request (or its Idempotency-Key), so the same request sent again, also after a 503 at the
   * deadline, gets the first answer rather than a second decision.
   */
  async decide(user: CurrentUser, taskId: string, dto: DecisionDto, key?: string): Promise<DecisionResult> {
    const task = await this.visibleTask(user, taskId);
    // An administrator decides for units in their subtree, never above it (a district's admin cannot
    // decide the province's review of its own model).
    if (
      user.role === 'admin' &&
      !(await isWithin(this.dataSource.manager, task.assigneeUnitId, user.unitId))
    ) {
      throw new ForbiddenException("only an admin of the task's unit or above may decide this task");
    }
    const onBehalfOf = task.assigneeUserId ? await this.coveredHolder(user, task.assigneeUserId) : undefined;
    const log = { component: 'tasks', nominationId: task.nominationId, workflowId: task.workflowId, taskId };
    // A decision racing another request (a withdrawal, a claim) is judged on what that request left.
    const send = (quota?: DecisionInput['quota']) =>
      this.temporal.run('request', (client) =>
        client.workflow.getHandle(task.workflowId).executeUpdate(decideUpdate, {
          args: [
            {
              taskId,
              decision: dto.decision,
              comment: dto.comment,
              score: dto.score,
              actor: actorOf(user),
              quota,
              onBehalfOf,
            },
          ],
          updateId: decisionUpdateId(taskId, user.id, dto, key),
        }),
      );
    try {
      const result =
        dto.decision === 'propose' && task.stage === 'provincial_proposal'
          ? await this.proposeWithinQuota(task, send)
          : await send();
      jsonLog('info', 'decision accepted', { ...log, decision: dto.decision, stage: result.stage });
      return result;
    } catch (err) {
      const first = await recordedDecision(this.dataSource, err, taskId, { userId: user.id, ...dto });
      if (first) {
        jsonLog('info', 'decision already recorded', { ...log, decision: dto.decision, stage: first.stage });
        return first;
      }
      // The API's own refusals (the quota already full) are logged like the workflow's.
      const http = err instanceof HttpException && err.getStatus() < 500 ? err : refusalToHttp(err);
      jsonLog('info', 'decision refused', {
        ...log,
        decision: dto.decision,
        status: http.getStatus(),
        reason: http.message,
      });
      throw http;
    }
  }

  /**
   * A proposal in a campaign with quotas: a place is reserved in a short transaction (409 when the unit
   * is full), the workflow's validator judges the cap again with the count, and no connection is held
   * while it answers (see proposal-quota.ts). A refusal frees the place; an Update whose fate is unknown
   * (it outlived its deadline) keeps it until it lapses or the resent request renews it.
   */
  private async proposeWithinQuota(
    task: VisibleTask,
    send: (quota?: DecisionInput['quota']) => Promise<DecisionResult>,
  ): Promise<DecisionResult> {
    const ttl = reservationTtlMs(this.temporal.timeoutMs);
    const quota = await reserveProposal(
      this.dataSource,
      { nominationId: task.nominationId, taskId: task.id },
      ttl,
    );
    if (!quota) return send();
    let result: DecisionResult;
    try {
      result = await send(quota);
    } catch (err) {
      const refused = refusalOrUndefined(err);
      if (refused) await releaseReservation(this.dataSource, task.id);
      throw refused ?? err;
    }
    await releaseReservation(this.dataSource, task.id);
    return result;
  }

  /** The holder of a task when the caller is covering for them right now (absence cover). */
  private async coveredHolder(user: CurrentUser, holderId: string): Promise<Actor | undefined> {
    if (holderId === user.id) return undefined;
    const [u]: { id: string; display_name: string; role: Role; unit_id: string }[] =
      await this.dataSource.query(
        `SELECT u.id, u.display_name, u.role, u.unit_id FROM absences a JOIN users u ON u.id = a.user_id
        WHERE a.acting_user_id = $1 AND a.user_id = $2 AND a.starts_at <= now() AND a.ends_at > now() LIMIT 1`,
        [user.id, holderId],
      );
    return u && { userId: u.id, displayName: u.display_name, role: u.role, unitId: u.unit_id };
  }

  /**
   * Returns every open task claimed by `userId` to its unit's pool, through each task's workflow, audited
   * as done by `actor` with `reason` (a deactivated user's work must not wait for them). Returns how many.
   */
  async releaseClaimsOf(actor: CurrentUser, userId: string, reason: string): Promise<number> {
    const held: { id: string; workflow_id: string; nomination_id: string; projection_seq: number }[] =
      await this.dataSource.query(
        `SELECT t.id, t.workflow_id, t.nomination_id, n.projection_seq
           FROM tasks t JOIN nominations n ON n.id = t.nomination_id
          WHERE t.assignee_user_id = $1 AND t.status = 'open'`,
        [userId],
      );
    let released = 0;
    for (const t of held) {
      const log = {
        component: 'tasks',
        nominationId: t.nomination_id,
        workflowId: t.workflow_id,
        taskId: t.id,
      };
      try {
        const request = { taskId: t.id, kind: 'release' as const, actor: actorOf(actor), reason };
        await this.temporal.run('update', (client) =>
          client.workflow.getHandle(t.workflow_id).executeUpdate(assignUpdate, {
            args: [request],
            updateId: requestUpdateId('release', t.workflow_id, actor.id, t.projection_seq, request),
          }),
        );
        released++;
        jsonLog('info', 'task released to the pool', { ...log, userId });
      } catch (err) {
        // A task that closed meanwhile needs no release; anything else is logged and left for an admin.
        jsonLog('warn', 'task not released', { ...log, userId, reason: String(err) });
      }
    }
    return released;
  }
}

type InboxRow = Record<string, unknown> & { id: string; due_at: Date };
type VisibleTask = Task & { nominationUnitId: string; projectionSeq: number };

/** The workflow's refusal as its HTTP answer; undefined for anything that is not a refusal. */
function refusalOrUndefined(err: unknown): HttpException | undefined {
  try {
    const http = refusalToHttp(err);
    return http.getStatus() < 500 ? http : undefined;
  } catch {
    return undefined;
  }
}

function toInboxTask(r: InboxRow): InboxTaskDto {
  return {
    id: r.id,
    nominationId: r.nomination_id as string,
    workflowId: r.workflow_id as string,
    stage: r.stage as string,
    kind: r.kind as string,
    status: r.status as string,
    allowedDecisions: r.allowed_decisions as string[],
    assigneeRole: r.assignee_role as string,
    assigneeUnitId: r.assignee_unit_id as string,
    assigneeUserId: (r.assignee_user_id as string | null) ?? null,
    dueAt: r.due_at,
    cutoffAt: (r.cutoff_at as Date | null) ?? null,
    overdue: r.overdue as boolean,
    openedAt: r.opened_at as Date,
    closedAt: (r.closed_at as Date | null) ?? null,
    decision: (r.decision as string | null) ?? null,
    decidedBy: (r.decided_by as string | null) ?? null,
    comment: (r.comment as string | null) ?? null,
    score: (r.score as number | null) ?? null,
    nominationTitle: r.title as string,
    nomineeName: r.nominee_name as string,
    unitId: r.nomination_unit_id as string,
    unitName: r.unit_name as string,
    field: r.field as string,
    nominationKind: r.nomination_kind as string,
    claimedByName: (r.claimed_by_name as string | null) ?? null,
    claimedAt: (r.claimed_at as Date | null) ?? null,
    coveringFor: (r.covering_for as string | null) ?? null,
  };
}
