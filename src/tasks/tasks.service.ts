import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource, type FindOptionsWhere } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import { jsonLog } from '../logging/json-log';
import { actorOf } from '../nominations/nominations.service';
import { refusalToHttp } from '../temporal/update-errors';
import type { Quotas } from '../domain/campaign';
import type { Field } from '../domain/nomination';
import { decideUpdate, type DecisionInput, type DecisionResult } from '../../workflows/messages';
import type { DecisionDto, ListTasksQuery } from './task.dto';
import { Task } from './task.entity';

@Injectable()
export class TasksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly temporal: Client,
  ) {}

  list(q: ListTasksQuery): Promise<Task[]> {
    const where: FindOptionsWhere<Task> = { status: q.status ?? 'open' };
    if (q.nominationId) where.nominationId = q.nominationId;
    return this.dataSource
      .getRepository(Task)
      .find({ where, order: { dueAt: 'ASC', openedAt: 'ASC' }, take: 500 });
  }

  /**
   * Asks the nomination's workflow to apply a decision and returns its answer. The workflow's validator
   * is the judge; a refusal comes back as 403/409/422 with its reason. With an Idempotency-Key the
   * Update id is fixed, so a retried request gets the first answer rather than a second decision.
   */
  async decide(user: CurrentUser, taskId: string, dto: DecisionDto, key?: string): Promise<DecisionResult> {
    const task = await this.dataSource.getRepository(Task).findOneBy({ id: taskId });
    if (!task) throw new NotFoundException('task not found');
    const log = { component: 'tasks', nominationId: task.nominationId, workflowId: task.workflowId, taskId };
    const send = (quota?: DecisionInput['quota']) =>
      this.temporal.workflow.getHandle(task.workflowId).executeUpdate(decideUpdate, {
        args: [
          {
            taskId,
            decision: dto.decision,
            comment: dto.comment,
            score: dto.score,
            actor: actorOf(user),
            quota,
          },
        ],
        updateId: `decision:${taskId}:${key ?? randomUUID()}`,
      });
    try {
      const result =
        dto.decision === 'propose' && task.stage === 'provincial_proposal'
          ? await this.proposeWithinQuota(task.nominationId, send)
          : await send();
      jsonLog('info', 'decision accepted', { ...log, decision: dto.decision, stage: result.stage });
      return result;
    } catch (err) {
      const http = refusalToHttp(err);
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
   * A proposal in a campaign with quotas: the unit's proposals so far are counted and the workflow's
   * validator judges the cap. Proposals of one unit are serialised by a transaction-scoped advisory lock
   * held until the workflow has recorded the decision, so two reviewers proposing at once cannot both
   * take the last place.
   */
  private async proposeWithinQuota(
    nominationId: string,
    send: (quota?: DecisionInput['quota']) => Promise<DecisionResult>,
  ): Promise<DecisionResult> {
    const [n]: {
      campaign_id: string;
      district_unit_id: string;
      field: Field;
      quotas: Quotas;
      unit_name: string;
    }[] = await this.dataSource.query(
      `SELECT n.campaign_id, n.district_unit_id, n.field, c.quotas, u.name AS unit_name
           FROM nominations n JOIN campaigns c ON c.id = n.campaign_id JOIN units u ON u.id = n.district_unit_id
          WHERE n.id = $1`,
      [nominationId],
    );
    if (!n || (n.quotas.perUnit === undefined && !n.quotas.perField)) return send();
    return this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
        `proposal:${n.campaign_id}:${n.district_unit_id}`,
      ]);
      const [count]: { proposed: number; in_field: number }[] = await m.query(
        `SELECT count(*)::int AS proposed, count(*) FILTER (WHERE field = $3)::int AS in_field
           FROM nominations WHERE campaign_id = $1 AND district_unit_id = $2 AND proposed_at IS NOT NULL`,
        [n.campaign_id, n.district_unit_id, n.field],
      );
      return send({
        quotas: n.quotas,
        count: {
          unitName: n.unit_name,
          field: n.field,
          proposed: count.proposed,
          proposedInField: count.in_field,
        },
      });
    });
  }
}
