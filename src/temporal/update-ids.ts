import { createHash } from 'node:crypto';

/*
 * Every Update the API sends carries an id derived from the request, never a random one: when an Update
 * outlives its deadline the caller is told "send the same request again", and the resent request must
 * attach to the Update already on its way (Temporal keeps one Update per id within a run) instead of
 * applying a second time.
 */

function digest(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 32);
}

/**
 * A decision: a task is decided once, so the same person sending the same decision for the same task is
 * the same request. With an `Idempotency-Key` the key (scoped to its sender) names it instead.
 */
export function decisionUpdateId(
  taskId: string,
  userId: string,
  body: { decision: string; comment?: string; score?: number },
  key?: string,
): string {
  const name = key
    ? digest(['key', userId, key])
    : digest([userId, body.decision, body.comment ?? null, body.score ?? null]);
  return `decision:${taskId}:${name}`;
}

/**
 * Any other request to a nomination's workflow (claim, withdraw, resubmit, extend…), which may be sent
 * again on purpose later (claim, unclaim, claim): the read model's projection sequence of the nomination
 * joins the request, so a resend before the first one was applied attaches to it, and one after it
 * (the sequence has moved) is a new request the workflow judges afresh.
 */
export function requestUpdateId(
  kind: string,
  workflowId: string,
  userId: string,
  projectionSeq: number,
  body: unknown,
): string {
  return `${kind}:${digest([workflowId, userId, projectionSeq, body ?? null])}`;
}
