import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource, type FindOptionsWhere } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import { jsonLog } from '../logging/json-log';
import { actorOf } from '../nominations/nominations.service';
import { refusalToHttp } from '../temporal/update-errors';
import { decideUpdate, type DecisionResult } from '../../workflows/messages';
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
    const handle = this.temporal.workflow.getHandle(task.workflowId);
    const log = { component: 'tasks', nominationId: task.nominationId, workflowId: task.workflowId, taskId };
    try {
      const result = await handle.executeUpdate(decideUpdate, {
        args: [
          { taskId, decision: dto.decision, comment: dto.comment, score: dto.score, actor: actorOf(user) },
        ],
        updateId: `decision:${taskId}:${key ?? randomUUID()}`,
      });
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
}
