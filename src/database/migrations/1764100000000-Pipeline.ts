import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the pipeline and the report count: when each nomination entered its current stage (how long it
 * has waited) and the two milestones not yet kept (accepted at registration, recommended by the
 * provincial review), so the time spent in every stage is a difference of two columns.
 */
export class Pipeline1764100000000 implements MigrationInterface {
  name = 'Pipeline1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE nominations ADD COLUMN accepted_at timestamptz`);
    await q.query(`ALTER TABLE nominations ADD COLUMN recommended_at timestamptz`);
    for (const [column, stage, decision] of [
      ['accepted_at', 'district_registration', 'accept'],
      ['recommended_at', 'provincial_review', 'recommend'],
    ]) {
      await q.query(
        `UPDATE nominations n SET ${column} = a.occurred_at FROM audit_events a
          WHERE a.nomination_id = n.id AND a.action = 'decided' AND a.stage_before = $1 AND a.decision = $2`,
        [stage, decision],
      );
    }
    await q.query(`ALTER TABLE nominations ADD COLUMN stage_entered_at timestamptz`);
    await q.query(`
      UPDATE nominations n SET stage_entered_at = COALESCE(
        (SELECT max(a.occurred_at) FROM audit_events a
          WHERE a.nomination_id = n.id AND a.stage_before IS DISTINCT FROM a.stage_after),
        n.created_at)`);
    await q.query(`ALTER TABLE nominations ALTER COLUMN stage_entered_at SET NOT NULL`);
    await q.query(`ALTER TABLE nominations ALTER COLUMN stage_entered_at SET DEFAULT now()`);
    // The stuck list: a campaign's open nominations, longest waiting first.
    await q.query(
      `CREATE INDEX ix_nominations_open_waiting ON nominations (campaign_id, stage_entered_at) WHERE stage <> 'closed'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_nominations_open_waiting`);
    await q.query(
      `ALTER TABLE nominations DROP COLUMN stage_entered_at, DROP COLUMN recommended_at, DROP COLUMN accepted_at`,
    );
  }
}
