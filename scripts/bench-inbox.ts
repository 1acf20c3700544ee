/**
 * Inbox latency at scale (`npm run bench:inbox`): seeds a fresh database with a province of 14 district
 * units, 3 grassroots units each, and OPEN_TASKS open tasks (one per nomination) spread over them, then
 * times the inbox query — the same `TasksService.list` the API runs — for a district reviewer (their
 * unit's pool), the same reviewer filtering by text and paging on, and the province's administrator
 * (every task of the province). Prints the median and 95th percentile of RUNS runs each.
 *
 * DATABASE_URL: a PostgreSQL server to use (a database `bench_inbox_<n>` is created on it and dropped);
 * unset: an embedded PostgreSQL is started in a temporary folder.
 */
import type { DataSource } from 'typeorm';
import { measure, seedBenchOrganisation, withBenchDatabase } from './bench-support';
import type { TemporalCalls } from '../src/temporal/temporal-calls';
import type { CurrentUser } from '../src/auth/current-user';
import { TasksService } from '../src/tasks/tasks.service';

const OPEN_TASKS = Number(process.env.OPEN_TASKS ?? 100_000);
const RUNS = Number(process.env.RUNS ?? 50);

async function main(): Promise<void> {
  await withBenchDatabase('bench_inbox', async (ds) => {
    const t0 = Date.now();
    const people = await seed(ds);
    console.log(`seeded ${OPEN_TASKS} open tasks in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // list() reads only PostgreSQL; it never talks to Temporal.
    const tasks = new TasksService(ds, undefined as unknown as TemporalCalls);
    const page = await tasks.list(people.reviewer, { limit: 50 });
    await measure('district reviewer: first page of 50 (pool of ~7,000)', RUNS, () =>
      tasks.list(people.reviewer, { limit: 50 }),
    );
    await measure('district reviewer: next page by cursor', RUNS, () =>
      tasks.list(people.reviewer, { limit: 50, cursor: page.nextCursor! }),
    );
    await measure('district reviewer: text search "nong san", field economic', RUNS, () =>
      tasks.list(people.reviewer, { limit: 50, q: 'nong san', field: 'economic' }),
    );
    await measure('province admin: first page of 50 (all 100,000)', RUNS, () =>
      tasks.list(people.admin, { limit: 50 }),
    );
    await measure('province admin: overdue only', RUNS, () =>
      tasks.list(people.admin, { limit: 50, overdue: true }),
    );
  });
}

/** The organisation, two users, and the nominations with one open task each, written in bulk. */
async function seed(ds: DataSource): Promise<{ reviewer: CurrentUser; admin: CurrentUser }> {
  const { provinceId, districtId } = await seedBenchOrganisation(ds);
  const user = async (username: string, role: string, unitId: string): Promise<CurrentUser> => {
    const [u] = await ds.query(
      `INSERT INTO users (username, password_hash, display_name, role, unit_id) VALUES ($1, 'x', $1, $2, $3) RETURNING id`,
      [username, role, unitId],
    );
    return { id: u.id, username, displayName: username, role: role as CurrentUser['role'], unitId };
  };
  const admin = await user('bench.admin', 'admin', provinceId);
  const reviewer = await user('bench.reviewer', 'district_reviewer', districtId);
  const [campaign] = await ds.query(
    `INSERT INTO campaigns (name, year, province_unit_id, calendar, registration_opens_at, workflow_id)
     VALUES ('Bench', 2026, $1, '{}', now(), 'campaign-bench') RETURNING id`,
    [provinceId],
  );
  // Grassroots units registered the models; each district-level unit reviews its grassroots' models.
  await ds.query(
    `INSERT INTO nominations (id, campaign_id, unit_id, district_unit_id, title, description, field, kind, nominee_name,
                              stage, workflow_id, created_by, created_at, updated_at)
     SELECT gen_random_uuid(), $1, g.id, g.parent_id,
            (ARRAY['Mô hình chợ nông sản sạch', 'Tuyến đường tự quản', 'Camera an ninh thôn', 'Bếp ăn nghĩa tình'])[1 + i % 4]
              || ' số ' || i,
            'Mô tả', (ARRAY['economic', 'culture_society', 'defense_security', 'political_system'])[1 + i % 4],
            'collective', 'Đơn vị ' || i, 'district_review', 'bench-' || i, $2, now(), now()
       FROM generate_series(1, $3::int) i
       JOIN LATERAL (SELECT id, parent_id FROM units WHERE level = 'grassroots' ORDER BY name OFFSET (i % 42) LIMIT 1) g ON true`,
    [campaign.id, admin.id, OPEN_TASKS],
  );
  await ds.query(
    `INSERT INTO tasks (id, nomination_id, workflow_id, stage, kind, status, allowed_decisions, assignee_role,
                        assignee_unit_id, opened_at, due_at, cutoff_at, overdue)
     SELECT gen_random_uuid(), n.id, n.workflow_id, 'district_review', 'review', 'open',
            '["recognize","not_recognize","request_revision"]', 'district_reviewer', n.district_unit_id, now(),
            now() + (random() * 60 - 5) * interval '1 day', now() + interval '70 days', random() < 0.08
       FROM nominations n`,
  );
  await ds.query('ANALYZE');
  return { reviewer, admin };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
