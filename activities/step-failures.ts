import { log } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import type { StepFailure } from '../src/contracts/projection';

/**
 * Records that a step could not be written. One open row per workflow and action: a held step retried
 * again and again counts its attempts instead of piling up rows. Written with parameters only, none of
 * the refused data, so this write itself cannot fail the same way.
 */
export class StepFailureActivities {
  constructor(private readonly dataSource: DataSource) {}

  recordStepFailure = async (f: StepFailure): Promise<void> => {
    await this.dataSource.query(
      `INSERT INTO step_failures (workflow_id, nomination_id, campaign_id, action, reason, actor_user_id,
                                  first_failed_at, last_failed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
       ON CONFLICT (workflow_id, action) WHERE resolved_at IS NULL
       DO UPDATE SET attempts = step_failures.attempts + 1, reason = EXCLUDED.reason,
                     actor_user_id = EXCLUDED.actor_user_id, last_failed_at = EXCLUDED.last_failed_at`,
      [f.workflowId, f.nominationId, f.campaignId ?? null, f.action, f.reason, f.actorUserId, f.occurredAt],
    );
    log.warn('step could not be recorded', {
      nominationId: f.nominationId,
      campaignId: f.campaignId ?? undefined,
      workflowId: f.workflowId,
      action: f.action,
      reason: f.reason,
      heldForRetry: f.actorUserId === null,
    });
  };
}

/**
 * A workflow whose step was written has moved on: its earlier refusals are resolved, except the system
 * step it still holds (named by the workflow), which stays on the stuck list until it is written.
 */
export const RESOLVE_STEP_FAILURES = `UPDATE step_failures SET resolved_at = $2
  WHERE workflow_id = $1 AND resolved_at IS NULL AND ($3::text IS NULL OR action <> $3)`;
