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
import { milestoneOf } from '../domain/vocabulary';
import { jsonLog } from '../logging/logger';
import { actorOf } from '../nominations/nominations.service';
import { refusalToHttp } from '../temporal/update-errors';
import { TemporalCalls } from '../temporal/temporal-calls';
import { decisionUpdateId, requestUpdateId } from '../temporal/update-ids';
import { decodeCursor, PAGE_LIMIT_DEFAULT, pageOf, type Page } from '../common/page';
import { isWithin } from '../units/scope.repository';
import {
  type Actor,
  assignUpdate,
  decideUpdate,
  type DecisionInput,
  type DecisionResult,
} from '../contracts/nomination.messages';
import { recordedDecision } from './recorded-decision';
import { releaseReservation, reservationTtlMs, reserveProposal } from './proposal-quota';
import {
  type DecisionDto,
  type InboxTaskDto,
  type ListTasksQuery,
  type ReassignDto,
  toInboxTaskDto,
} from './task.dto';
import { TasksRepository, type VisibleTask } from './tasks.repository';
import { may, scopeOf } from '../domain/access-policy';

@Injectable()
export class TasksService {
  private readonly repo: TasksRepository;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly temporal: TemporalCalls,
  ) {
    this.repo = new TasksRepository(dataSource);
  }

  /**
   * The caller's inbox, due first: the tasks they hold, their unit's unclaimed pool for their role, and
   * the tasks of colleagues they are covering for. An administrator sees every task in their subtree.
   * Each half is read from its own index and cut at the page size before they are merged, so a pool of
   * 100,000 tasks costs one index range scan, not a sort. Paged by a (due date, id) cursor.
   */
  async list(user: CurrentUser, q: ListTasksQuery): Promise<Page<InboxTaskDto>> {
    const limit = q.limit ?? PAGE_LIMIT_DEFAULT;
    const rows = await this.repo.inbox({
      userId: user.id,
      unitId: user.unitId,
      role: user.role,
      status: q.status ?? 'open',
      limit,
      visibility:
        scopeOf(user, 'task.view') === 'unit_subtree'
          ? 'subtree'
          : q.status && q.status !== 'open'
            ? 'decided_or_pooled'
            : 'held_pooled_covering',
      nominationId: q.nominationId,
      stage: q.stage,
      overdue: q.overdue,
      field: q.field,
      q: q.q,
      after: q.cursor ? decodeCursor(q.cursor) : undefined,
    });
    return pageOf(
      rows,
      limit,
      (r) => [r.due_at, r.id],
      (r) => toInboxTaskDto(r, user),
    );
  }

  /** A task the caller may see: of a nomination in their subtree, or assigned to a unit in it. Else 404. */
  private async visibleTask(user: CurrentUser, taskId: string): Promise<VisibleTask> {
    const row = await this.repo.visibleTask(user.unitId, taskId);
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
    if (kind === 'reassign' && !may(user, 'task.reassign'))
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
    const row = await this.repo.inboxTask(taskId, user.id, user.unitId);
    return toInboxTaskDto(row, user);
  }

  /** The user a task is reassigned to: active and within the caller's subtree, else as unknown as a stranger. */
  private async assigneeWithin(user: CurrentUser, userId: string): Promise<Actor> {
    const u = await this.repo.activeUserWithin(user.unitId, userId);
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
      scopeOf(user, 'task.decide') === 'unit_subtree' &&
      !may(user, 'task.decide', {
        inSubtree: await isWithin(this.dataSource.manager, task.assigneeUnitId, user.unitId),
      })
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
        // A proposal (the decision that marks the funnel's "proposed") counts against the unit's quotas.
        milestoneOf(task.stage, dto.decision) === 'proposed'
          ? await this.proposeWithinQuota(task, send)
          : await send();
      jsonLog('info', 'decision accepted', { ...log, decision: dto.decision, stage: result.stage });
      return result;
    } catch (err) {
      const first = await recordedDecision(this.repo, err, taskId, { userId: user.id, ...dto });
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
    const quota = await reserveProposal(this.repo, { nominationId: task.nominationId, taskId: task.id }, ttl);
    if (!quota) return send();
    let result: DecisionResult;
    try {
      result = await send(quota);
    } catch (err) {
      const refused = refusalOrUndefined(err);
      if (refused) await releaseReservation(this.repo, task.id);
      throw refused ?? err;
    }
    await releaseReservation(this.repo, task.id);
    return result;
  }

  /** The holder of a task when the caller is covering for them right now (absence cover). */
  private async coveredHolder(user: CurrentUser, holderId: string): Promise<Actor | undefined> {
    if (holderId === user.id) return undefined;
    const u = await this.repo.coveredHolder(user.id, holderId);
    return u && { userId: u.id, displayName: u.display_name, role: u.role, unitId: u.unit_id };
  }

  /**
   * Returns every open task claimed by `userId` to its unit's pool, through each task's workflow, audited
   * as done by `actor` with `reason` (a deactivated user's work must not wait for them). Returns how many.
   */
  async releaseClaimsOf(actor: CurrentUser, userId: string, reason: string): Promise<number> {
    const held = await this.repo.openTasksHeldBy(userId);
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

/** The workflow's refusal as its HTTP answer; undefined for anything that is not a refusal. */
function refusalOrUndefined(err: unknown): HttpException | undefined {
  try {
    const http = refusalToHttp(err);
    return http.getStatus() < 500 ? http : undefined;
  } catch {
    return undefined;
  }
}
