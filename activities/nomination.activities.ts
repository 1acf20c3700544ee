import { log } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { refusingBadData } from './data-errors';
import { ProjectionRepository } from './projection.repository';
import { StepFailuresRepository } from './step-failures.repository';
import { insertNotices, queueStepEmails } from './notices.repository';
import type { ProjectionRecord } from '../src/contracts/projection';

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
      const db = new ProjectionRepository(m);
      if (r.nomination) await db.insertNomination(r, r.nomination);
      if (!(await db.insertAuditEvent(r))) {
        // Applied before, perhaps with email off or by a version that sent after its commit: queue what
        // was not emailed (the outbox's unique key makes this a no-op when it was queued).
        if (this.email && r.notify?.length) emails = await queueStepEmails(m, r);
        return false;
      }
      await db.updateNomination(r);
      if (r.closeTask) {
        await db.closeTask({
          id: r.closeTask.id,
          status: r.closeTask.status,
          decision: r.decision ?? null,
          decidedBy: r.closeTask.status === 'completed' ? (r.actor?.userId ?? null) : null,
          comment: r.comment ?? null,
          score: r.score ?? null,
          closedAt: r.occurredAt,
        });
      }
      if (r.taskDeadline) await db.setTaskDeadline(r.taskDeadline);
      if (r.overdue !== undefined && r.taskId) await db.setTaskOverdue(r.taskId, r.overdue);
      if (r.taskAssignee) await db.setTaskAssignee(r.taskAssignee, r.occurredAt);
      if (r.openTask) await db.insertTask(r, r.openTask);
      await insertNotices(m, r, r.notify ?? []);
      await new StepFailuresRepository(m).resolve(r.workflowId, r.occurredAt, r.stillHeld ?? null);
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
