import type { DataSource, EntityManager } from 'typeorm';
import type { StepFailure } from '../src/contracts/projection';

/**
 * All SQL of the steps PostgreSQL refused (the administrators' stuck list), as the activities write it.
 * Built on a DataSource, or on a transaction's EntityManager (`new StepFailuresRepository(m)`).
 */
export class StepFailuresRepository {
  constructor(private readonly db: DataSource | EntityManager) {}

  /** Runs `fn` in a transaction, with a repository bound to it. */
  transaction<T>(fn: (repo: StepFailuresRepository) => Promise<T>): Promise<T> {
    return this.db.transaction((m) => fn(new StepFailuresRepository(m)));
  }

  /**
   * One open row per workflow and action: a held step retried again and again counts its attempts
   * instead of piling up rows. Written with parameters only, none of the refused data, so this write
   * itself cannot fail the same way.
   */
  async record(f: StepFailure): Promise<void> {
    await this.db.query(
      `INSERT INTO step_failures (workflow_id, nomination_id, campaign_id, action, reason, actor_user_id,
                                  first_failed_at, last_failed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
       ON CONFLICT (workflow_id, action) WHERE resolved_at IS NULL
       DO UPDATE SET attempts = step_failures.attempts + 1, reason = EXCLUDED.reason,
                     actor_user_id = EXCLUDED.actor_user_id, last_failed_at = EXCLUDED.last_failed_at`,
      [f.workflowId, f.nominationId, f.campaignId ?? null, f.action, f.reason, f.actorUserId, f.occurredAt],
    );
  }

  /**
   * A workflow whose step was written has moved on: its earlier refusals are resolved, except the system
   * step it still holds (named by the workflow), which stays on the stuck list until it is written.
   */
  async resolve(workflowId: string, at: string, stillHeld: string | null): Promise<void> {
    await this.db.query(
      `UPDATE step_failures SET resolved_at = $2
  WHERE workflow_id = $1 AND resolved_at IS NULL AND ($3::text IS NULL OR action <> $3)`,
      [workflowId, at, stillHeld],
    );
  }
}
