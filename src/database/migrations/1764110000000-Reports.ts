import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the pipeline summary, the stuck list, the campaign report and the audit log read by. Measured with
 * `npm run bench:pipeline` (1,100,000 nominations in one campaign); each index is named by its reader.
 */
export class Reports1764110000000 implements MigrationInterface {
  name = 'Reports1764110000000';

  async up(q: QueryRunner): Promise<void> {
    // Summary and report counts: a campaign's nominations by district-level unit × field × kind × stage ×
    // outcome, read by an index-only scan already in group order. B-tree deduplication keeps it small
    // (a few thousand distinct keys: ~8 MB for a million rows).
    await q.query(
      `CREATE INDEX ix_nominations_cells ON nominations (campaign_id, district_unit_id, field, kind, stage, outcome)`,
    );
    // The report's funnel steps, one small partial index each: who was district-recognized, proposed,
    // provincially recognized (the milestones stay set, whatever the stage and outcome became later).
    for (const [name, column] of [
      ['district_recognized', 'district_recognized_at'],
      ['proposed', 'proposed_at'],
      ['recognized', 'recognized_at'],
    ]) {
      await q.query(
        `CREATE INDEX ix_nominations_cells_${name} ON nominations (campaign_id, district_unit_id, field, kind)
          WHERE ${column} IS NOT NULL`,
      );
    }
    // Median time per stage: each stage's duration (seconds between its two milestones) as an index key,
    // so percentile_cont reads the values already in order from an index-only scan. The milestone columns
    // are included because the planner only takes an index-only scan when every column it names is there;
    // so are the district-level unit and the field, so a summary filtered by either stays index-only.
    // created_at is NOT NULL: PostgreSQL drops "created_at IS NOT NULL" from queries, so the predicate must
    // not require it or no query would match the index.
    for (const [stage, from, to] of SPANS) {
      await q.query(
        `CREATE INDEX ix_nominations_span_${stage} ON nominations (campaign_id, (date_part('epoch', ${to} - ${from})))
          INCLUDE (${from}, ${to}, district_unit_id, field)
          WHERE ${from === 'created_at' ? '' : `${from} IS NOT NULL AND `}${to} IS NOT NULL`,
      );
    }
    // Open nominations: the longest waiting per stage (one probe each), and with their group columns
    // included, the overdue-task counts join index-only against the overdue open tasks.
    await q.query(
      `CREATE INDEX ix_nominations_open_stage_waiting ON nominations (campaign_id, stage, stage_entered_at, id)
          INCLUDE (district_unit_id, field, kind) WHERE stage <> 'closed'`,
    );
    await q.query(
      `CREATE INDEX ix_tasks_open_overdue ON tasks (nomination_id) WHERE status = 'open' AND overdue`,
    );
    // The audit log, newest first, paged by (occurred_at, id); and one actor's events.
    await q.query(`CREATE INDEX ix_audit_events_occurred ON audit_events (occurred_at, id)`);
    await q.query(
      `CREATE INDEX ix_audit_events_actor ON audit_events (actor_user_id, occurred_at, id)
        WHERE actor_user_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_audit_events_actor`);
    await q.query(`DROP INDEX ix_audit_events_occurred`);
    await q.query(`DROP INDEX ix_tasks_open_overdue`);
    await q.query(`DROP INDEX ix_nominations_open_stage_waiting`);
    for (const [stage] of SPANS) await q.query(`DROP INDEX ix_nominations_span_${stage}`);
    for (const name of ['district_recognized', 'proposed', 'recognized']) {
      await q.query(`DROP INDEX ix_nominations_cells_${name}`);
    }
    await q.query(`DROP INDEX ix_nominations_cells`);
  }
}

/** Each stage and the two milestones around it (as `STAGE_SPANS` in src/pipeline/pipeline.service.ts). */
const SPANS = [
  ['district_registration', 'created_at', 'accepted_at'],
  ['district_review', 'accepted_at', 'district_recognized_at'],
  ['provincial_proposal', 'district_recognized_at', 'proposed_at'],
  ['provincial_review', 'proposed_at', 'recommended_at'],
  ['recognition', 'recommended_at', 'recognized_at'],
] as const;
