/**
 * Pipeline, stuck list and campaign report at scale (`npm run bench:pipeline`): seeds a fresh database
 * with a province of 14 district-level units (3 grassroots units each) and one campaign holding CLOSED
 * closed and OPEN open nominations (default 1,000,000 and 100,000) over 4 fields and 2 kinds, with
 * milestones and outcomes shaped like a real round and one open task per open nomination; then times
 * the same service methods the API runs — `PipelineService.summary` (whole campaign, one district, one
 * field), `PipelineService.stuck` and `ReportsService.report` — printing the median and 95th percentile
 * of RUNS runs each.
 *
 * DATABASE_URL: a PostgreSQL server to use (a database `bench_pipeline_<n>` is created on it and
 * dropped, or kept with KEEP_DATABASE=1 to look at query plans); unset: an embedded PostgreSQL is started
 * in a temporary folder.
 */
import type { DataSource } from 'typeorm';
import { measure, seedBenchOrganisation, withBenchDatabase } from './bench-support';
import type { CurrentUser } from '../src/auth/current-user';
import { PipelineService } from '../src/pipeline/pipeline.service';
import { ReportsService } from '../src/reports/reports.service';
import { reportCsv, reportHtml } from '../src/reports/report-render';

const CLOSED = Number(process.env.CLOSED ?? 1_000_000);
const OPEN = Number(process.env.OPEN ?? 100_000);
const RUNS = Number(process.env.RUNS ?? 10);

async function main(): Promise<void> {
  await withBenchDatabase('bench_pipeline', async (ds) => {
    const t0 = Date.now();
    const { user, campaignId, districtId } = await seed(ds);
    console.log(
      `seeded ${CLOSED.toLocaleString('en')} closed + ${OPEN.toLocaleString('en')} open nominations ` +
        `and ${OPEN.toLocaleString('en')} open tasks in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    const sizes: { name: string; size: string }[] = await ds.query(
      `SELECT relname AS name, pg_size_pretty(pg_relation_size(oid)) AS size FROM pg_class
      WHERE relname = 'nominations' OR relname LIKE 'ix_nominations_cells%' OR relname LIKE 'ix_nominations_span_%'
         OR relname IN ('ix_nominations_open_stage_waiting', 'ix_tasks_open_overdue')
      ORDER BY pg_relation_size(oid) DESC`,
    );
    console.log(`sizes: ${sizes.map((s) => `${s.name} ${s.size}`).join(', ')}`);
    const pipeline = new PipelineService(ds);
    const reports = new ReportsService(ds);
    const summary = await pipeline.summary(user, { campaignId });
    console.log(
      `summary: ${summary.totals.total} nominations, ${summary.totals.open} open, ` +
        `${summary.totals.overdueTasks} overdue tasks, ${summary.rows.length} grouped rows`,
    );
    await measure('summary, whole campaign', RUNS, () => pipeline.summary(user, { campaignId }));
    await measure('summary, one district-level unit', RUNS, () =>
      pipeline.summary(user, { campaignId, unitId: districtId }),
    );
    await measure('summary, one field', RUNS, () =>
      pipeline.summary(user, { campaignId, field: 'economic' }),
    );
    await measure('stuck list, first 50', RUNS, () => pipeline.stuck(user, { campaignId, limit: 50 }));
    await measure('stuck list, first 500', RUNS, () => pipeline.stuck(user, { campaignId, limit: 500 }));
    await measure('report (JSON)', RUNS, () => reports.report(user, campaignId));
    await measure('report rendered as CSV and HTML', RUNS, async () => {
      const r = await reports.report(user, campaignId);
      return reportCsv(r).length + reportHtml(r).length;
    });
  });
}

/**
 * The organisation, the campaign and its nominations, written in bulk. Each nomination goes `depth`
 * steps down the round (0: closed at registration … 5: recognized by the province); its milestones are
 * the step times up to there. Closed ones carry the outcome their depth implies; open ones wait at the
 * stage after their last milestone, with one open task there (10% claimed, overdue when past due).
 */
async function seed(ds: DataSource): Promise<{ user: CurrentUser; campaignId: string; districtId: string }> {
  const { provinceId, districtId } = await seedBenchOrganisation(ds);
  const [u] = await ds.query(
    `INSERT INTO users (username, password_hash, display_name, role, unit_id)
     VALUES ('bench.admin', 'x', 'Quản trị viên', 'admin', $1) RETURNING id`,
    [provinceId],
  );
  const user: CurrentUser = {
    id: u.id,
    username: 'bench.admin',
    displayName: 'Quản trị viên',
    role: 'admin',
    unitId: provinceId,
  };
  // A reviewer per district-level unit, some of whom hold (claimed) tasks.
  await ds.query(
    `INSERT INTO users (username, password_hash, display_name, role, unit_id)
     SELECT 'reviewer.' || row_number() OVER (ORDER BY name), 'x', 'Cán bộ ' || name, 'district_reviewer', id
       FROM units WHERE level = 'district'`,
  );
  const [campaign] = await ds.query(
    `INSERT INTO campaigns (name, year, province_unit_id, calendar, registration_opens_at, workflow_id)
     VALUES ('Dân vận khéo (bench)', 2026, $1, '{}', now() - interval '200 days', 'campaign-bench') RETURNING id`,
    [provinceId],
  );
  await ds.query(
    `CREATE TEMP TABLE bench_units AS
     SELECT (row_number() OVER (ORDER BY d.name, g.name) - 1)::int AS k, g.id AS unit_id, d.id AS district_id
       FROM units g JOIN units d ON d.id = g.parent_id WHERE g.level = 'grassroots'`,
  );
  // Bulk loading is faster without the trigram index; it is rebuilt once afterwards.
  await ds.query(`DROP INDEX ix_nominations_search_text`);
  const titles = `(ARRAY['Mô hình chợ nông sản sạch', 'Tuyến đường tự quản', 'Camera an ninh thôn',
                         'Bếp ăn nghĩa tình', 'Dân vận khéo trong cải cách hành chính'])`;
  const insert = (from: number, to: number, open: boolean) =>
    ds.query(
      `INSERT INTO nominations (id, campaign_id, unit_id, district_unit_id, title, description, field, kind,
                                nominee_name, stage, outcome, workflow_id, created_by, created_at, updated_at,
                                closed_at, stage_entered_at, accepted_at, district_recognized_at, proposed_at,
                                recommended_at, recognized_at, overdue)
       SELECT gen_random_uuid(), $1, b.unit_id, b.district_id, ${titles}[1 + x.i % 5] || ' số ' || x.i, 'Mô tả',
              (ARRAY['economic', 'culture_society', 'defense_security', 'political_system'])[1 + (x.i / 42) % 4],
              CASE WHEN x.r2 < 0.8 THEN 'collective' ELSE 'individual' END, 'Đơn vị ' || x.i,
              ${open ? `(ARRAY['district_registration', 'district_review', 'provincial_proposal', 'provincial_review', 'recognition'])[1 + x.depth]` : `'closed'`},
              ${
                open
                  ? 'NULL'
                  : `CASE x.depth WHEN 0 THEN (ARRAY['rejected', 'expired', 'withdrawn'])[1 + x.i % 3]
                                 WHEN 1 THEN CASE WHEN x.i % 10 = 0 THEN 'expired' ELSE 'not_recognized' END
                                 WHEN 5 THEN 'recognized_provincial' ELSE 'recognized_district' END`
              },
              'bench-' || x.i, $2, x.t0, now(),
              ${open ? 'NULL' : "x.last + interval '2 hours'"},
              ${open ? 'x.last' : "x.last + interval '2 hours'"},
              CASE WHEN x.depth >= 1 THEN x.t1 END, CASE WHEN x.depth >= 2 THEN x.t2 END,
              CASE WHEN x.depth >= 3 THEN x.t3 END, CASE WHEN x.depth >= 4 THEN x.t4 END,
              CASE WHEN x.depth >= 5 THEN x.t5 END, false
         FROM (SELECT s.*, (ARRAY[s.t0, s.t1, s.t2, s.t3, s.t4, s.t5])[1 + s.depth] AS last
                 FROM (SELECT d.*, d.t0 + d.h1 AS t1, d.t0 + d.h1 + d.h2 AS t2, d.t0 + d.h1 + d.h2 + d.h3 AS t3,
                              d.t0 + d.h1 + d.h2 + d.h3 + d.h4 AS t4, d.t0 + d.h1 + d.h2 + d.h3 + d.h4 + d.h5 AS t5
                         FROM (SELECT e.*,
                                      ${
                                        // An open one entered its stage during the last 30 days; a closed
                                        // one was registered 130 to 170 days ago.
                                        open
                                          ? `now() - random() * interval '30 days'
                                               - (ARRAY[interval '0', e.h1, e.h1 + e.h2, e.h1 + e.h2 + e.h3,
                                                        e.h1 + e.h2 + e.h3 + e.h4])[1 + e.depth]`
                                          : `now() - interval '170 days' + random() * interval '40 days'`
                                      } AS t0
                                 FROM (SELECT i, random() AS r2,
                                              ${
                                                open
                                                  ? `CASE WHEN r < 0.30 THEN 0 WHEN r < 0.65 THEN 1 WHEN r < 0.85 THEN 2
                                                          WHEN r < 0.95 THEN 3 ELSE 4 END`
                                                  : `CASE WHEN r < 0.15 THEN 0 WHEN r < 0.75 THEN 1 WHEN r < 0.92 THEN 2
                                                          WHEN r < 0.97 THEN 3 WHEN r < 0.975 THEN 4 ELSE 5 END`
                                              } AS depth,
                                              (2 + random() * 300) * interval '1 hour' AS h1,
                                              (2 + random() * 500) * interval '1 hour' AS h2,
                                              (2 + random() * 200) * interval '1 hour' AS h3,
                                              (2 + random() * 400) * interval '1 hour' AS h4,
                                              (2 + random() * 300) * interval '1 hour' AS h5
                                         FROM (SELECT i, random() AS r FROM generate_series($3::int, $4::int) i) g) e) d) s) x
         JOIN bench_units b ON b.k = x.i % 42`,
      [campaign.id, u.id, from, to],
    );
  // In batches, so one statement's memory and WAL stay moderate.
  const BATCH = 250_000;
  for (let from = 1; from <= CLOSED; from += BATCH)
    await insert(from, Math.min(CLOSED, from + BATCH - 1), false);
  for (let from = CLOSED + 1; from <= CLOSED + OPEN; from += BATCH) {
    await insert(from, Math.min(CLOSED + OPEN, from + BATCH - 1), true);
  }
  await ds.query(
    `CREATE INDEX ix_nominations_search_text ON nominations USING gin (search_text gin_trgm_ops)`,
  );
  await ds.query(
    `INSERT INTO tasks (id, nomination_id, workflow_id, stage, kind, status, allowed_decisions, assignee_role,
                        assignee_unit_id, assignee_user_id, opened_at, due_at, cutoff_at, overdue, claimed_at)
     SELECT gen_random_uuid(), n.id, n.workflow_id, n.stage, 'review', 'open', '[]',
            CASE WHEN p.provincial THEN 'provincial_reviewer' ELSE 'district_reviewer' END,
            CASE WHEN p.provincial THEN $2::uuid ELSE n.district_unit_id END,
            CASE WHEN NOT p.provincial AND random() < 0.1 THEN r.id END,
            n.stage_entered_at, n.stage_entered_at + interval '20 days', n.stage_entered_at + interval '25 days',
            n.stage_entered_at + interval '20 days' < now(), NULL
       FROM nominations n
       CROSS JOIN LATERAL (SELECT n.stage IN ('provincial_review', 'recognition') AS provincial) p
       JOIN users r ON r.unit_id = n.district_unit_id AND r.role = 'district_reviewer'
      WHERE n.campaign_id = $1 AND n.stage <> 'closed'`,
    [campaign.id, provinceId],
  );
  await ds.query(
    `UPDATE tasks SET claimed_at = opened_at WHERE assignee_user_id IS NOT NULL AND status = 'open'`,
  );
  await ds.query(
    `UPDATE nominations n SET overdue = true FROM tasks t
      WHERE t.nomination_id = n.id AND t.status = 'open' AND t.overdue`,
  );
  // What autovacuum does on a live database: statistics, and the visibility map for index-only scans.
  await ds.query('VACUUM ANALYZE');
  return { user, campaignId: campaign.id, districtId };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
