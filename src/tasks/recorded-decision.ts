import { WorkflowNotFoundError } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { Decision, NominationStage, Outcome } from '../domain/nomination';
import type { DecisionResult } from '../contracts/nomination.messages';

/**
 * A decision that closed its nomination completes the workflow, which then answers no Update: a client
 * retrying it (its first answer lost to a crash or a timeout) would be told "closed". The read model
 * has what the workflow recorded; if it is this person's same decision, the retry gets the first answer.
 */
export async function recordedDecision(
  ds: DataSource,
  err: unknown,
  taskId: string,
  d: { userId: string; decision: string; comment?: string; score?: number },
): Promise<DecisionResult | null> {
  if (!(err instanceof WorkflowNotFoundError)) return null;
  const [row]: {
    nomination_id: string;
    decision: Decision;
    stage: NominationStage;
    outcome: Outcome | null;
    next_task_id: string | null;
  }[] = await ds.query(
    `SELECT t.nomination_id, t.decision, n.stage, n.outcome,
            (SELECT o.id FROM tasks o WHERE o.nomination_id = t.nomination_id AND o.status = 'open' LIMIT 1)
              AS next_task_id
       FROM tasks t JOIN nominations n ON n.id = t.nomination_id
      WHERE t.id = $1 AND t.status = 'completed' AND t.decided_by = $2 AND t.decision = $3
        AND t.comment IS NOT DISTINCT FROM $4 AND t.score IS NOT DISTINCT FROM $5`,
    [taskId, d.userId, d.decision, d.comment ?? null, d.score ?? null],
  );
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
