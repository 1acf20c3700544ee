import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Steps PostgreSQL refused for their data (issue 11): the person who asked was answered 422, or the
 * workflow holds the system's step and retries it. The stuck list reads the unresolved ones.
 */
export class StepFailures1764130000000 implements MigrationInterface {
  name = 'StepFailures1764130000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE step_failures (
        id bigserial PRIMARY KEY,
        workflow_id text NOT NULL,
        nomination_id uuid,
        campaign_id uuid,
        action text NOT NULL,
        reason text NOT NULL,
        actor_user_id uuid,
        attempts int NOT NULL DEFAULT 1,
        first_failed_at timestamptz NOT NULL,
        last_failed_at timestamptz NOT NULL,
        resolved_at timestamptz
      )`);
    // One open failure per workflow and step: the upsert's conflict target.
    await q.query(
      `CREATE UNIQUE INDEX ux_step_failures_open ON step_failures (workflow_id, action) WHERE resolved_at IS NULL`,
    );
    // The stuck list: a campaign's unresolved failures, newest first.
    await q.query(
      `CREATE INDEX ix_step_failures_stuck ON step_failures (nomination_id, last_failed_at DESC) WHERE resolved_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX ix_step_failures_campaign ON step_failures (campaign_id, last_failed_at DESC) WHERE resolved_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE step_failures`);
  }
}
