import { WorkflowNotFoundError } from '@temporalio/client';
import type { DecisionResult } from '../contracts/nomination.messages';
import type { TasksRepository } from './tasks.repository';

/**
 * A decision that closed its nomination completes the workflow, which then answers no Update: a client
 * retrying it (its first answer lost to a crash or a timeout) would be told "closed". The read model
 * has what the workflow recorded; if it is this person's same decision, the retry gets the first answer.
 */
export async function recordedDecision(
  repo: TasksRepository,
  err: unknown,
  taskId: string,
  d: { userId: string; decision: string; comment?: string; score?: number },
): Promise<DecisionResult | null> {
  if (!(err instanceof WorkflowNotFoundError)) return null;
  const row = await repo.recordedDecision(taskId, d);
  return row
    ? {
        nominationId: row.nomination_id,
        taskId,
        decision: row.decision,
        stage: row.stage,
        outcome: row.outcome,
        nextTaskId: row.next_task_id,
      }
    : null;
}
