import { randomUUID } from 'node:crypto';
import { FIELDS, KINDS, OUTCOMES, STAGES } from '../../src/domain/nomination';
import { createUser } from '../support/fixtures';
import { TestApp } from '../support/http-app';

const HOUR = 3_600_000;
const PASSWORD = 'correct horse battery';

/** Milestones and the time the nomination entered its stage, in hours before the test started. */
interface Planned {
  unitId: string;
  districtUnitId: string;
  stage: string;
  outcome?: string;
  field: string;
  kind: string;
  entered: number;
  created: number;
  accepted?: number;
  districtRecognized?: number;
  proposed?: number;
  recommended?: number;
  recognized?: number;
  task?: { role: string; unitId: string; userId?: string; overdue: boolean; dueIn: number; kind?: string };
}

const SPANS = [
  ['district_registration', 'created', 'accepted'],
  ['district_review', 'accepted', 'districtRecognized'],
  ['provincial_proposal', 'districtRecognized', 'proposed'],
  ['provincial_review', 'proposed', 'recommended'],
  ['recognition', 'recommended', 'recognized'],
] as const;

function median(values: number[]): number | null {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b);
  const mid = (v.length - 1) / 2;
  return (v[Math.floor(mid)] + v[Math.ceil(mid)]) / 2;
}

/**
 * The pipeline summary, the stuck list and the audit log over HTTP, on nominations written straight into
 * the read model (their figures known in advance), with the access rules: the campaign's province for
 * the pipeline, administrators of a subtree for the audit. Real API and PostgreSQL.
 */
describe('pipeline and audit over HTTP', () => {
  let t: TestApp;
  let provinceId: string;
  let adminId: string;
  let campaignId: string;
  let otherCampaignId: string;
  const unit: Record<string, string> = {};
  const user: Record<string, string> = {};
  const ids: Record<string, string> = {};
  let plan: Record<string, Planned>;
  const t0 = Date.now();
  const ago = (h: number) => new Date(t0 - h * HOUR).toISOString();

  async function as<T>(username: string, fn: () => Promise<T>): Promise<T> {
    const admin = t.token;
    const password = username.startsWith('demo.') ? 'demo-password' : PASSWORD;
    expect((await t.login(username, password)).status).toBe(200);
    try {
      return await fn();
    } finally {
      t.token = admin;
    }
  }

  async function campaign(year: number): Promise<string> {
    const id = randomUUID();
    await t.db.dataSource.query(
      `INSERT INTO campaigns (id, name, year, province_unit_id, calendar, registration_opens_at, workflow_id, closed_at)
       VALUES ($1, $2, $3, $4, '{}', now(), $5, now())`,
      [id, `Dân vận khéo ${year}`, year, provinceId, `campaign-${id}`],
    );
    return id;
  }

  async function insert(inCampaign: string, key: string, n: Planned): Promise<string> {
    const id = randomUUID();
    const at = (h: number | undefined) => (h === undefined ? null : ago(h));
    await t.db.dataSource.query(
      `INSERT INTO nominations (id, campaign_id, unit_id, district_unit_id, title, description, field, kind,
                                nominee_name, stage, outcome, workflow_id, created_by, created_at, updated_at,
                                closed_at, stage_entered_at, accepted_at, district_recognized_at, proposed_at,
                                recommended_at, recognized_at)
       VALUES ($1, $2, $3, $4, $5, 'Mô tả', $6, $7, 'Đơn vị', $8, $9, $10, $11, $12, now(),
               CASE WHEN $8 = 'closed' THEN $13::timestamptz END, $13, $14, $15, $16, $17, $18)`,
      [
        id,
        inCampaign,
        n.unitId,
        n.districtUnitId,
        `Mô hình ${key}`,
        n.field,
        n.kind,
        n.stage,
        n.outcome ?? null,
        `nomination-${id}`,
        adminId,
        ago(n.created),
        ago(n.entered),
        at(n.accepted),
        at(n.districtRecognized),
        at(n.proposed),
        at(n.recommended),
        at(n.recognized),
      ],
    );
    if (n.task) {
      await t.db.dataSource.query(
        `INSERT INTO tasks (id, nomination_id, workflow_id, stage, kind, status, allowed_decisions, assignee_role,
                            assignee_unit_id, assignee_user_id, due_at, overdue, opened_at, claimed_at)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, 'open', '[]', $5, $6, $7, $8, $9, $10, $11)`,
        [
          id,
          `nomination-${id}`,
          n.stage,
          n.task.kind ?? 'review',
          n.task.role,
          n.task.unitId,
          n.task.userId ?? null,
          new Date(t0 + n.task.dueIn * HOUR).toISOString(),
          n.task.overdue,
          ago(n.entered),
          n.task.userId ? ago(n.entered) : null,
        ],
      );
    }
    return id;
  }

  beforeAll(async () => {
    t = await TestApp.start();
    await t.login();
    const [province] = (await t.call('GET', '/units')).body;
    provinceId = province.id;
    for (const d of province.children) {
      unit[d.name] = d.id;
      for (const g of d.children) unit[g.name] = g.id;
    }
    const ds = t.db.dataSource;
    [{ id: adminId }] = await ds.query(`SELECT id FROM users WHERE role = 'admin' LIMIT 1`);
    for (const u of await ds.query(`SELECT id, username FROM users`)) user[u.username] = u.id;
    user['admin.ducLinh'] = (
      await createUser(ds, {
        username: 'admin.duclinh',
        displayName: 'Trần Văn Quản',
        role: 'admin',
        unitId: unit['Huyện Đức Linh'],
        password: PASSWORD,
      })
    ).userId;

    const A = unit['Huyện Đức Linh'];
    const B = unit['Huyện Tánh Linh'];
    const C = unit['Thành phố Phan Thiết'];
    plan = {
      n1: {
        unitId: unit['Xã Nam Chính'],
        districtUnitId: A,
        stage: 'district_registration',
        field: 'economic',
        kind: 'collective',
        entered: 100,
        created: 100,
        task: { role: 'district_reviewer', unitId: A, overdue: true, dueIn: -10 },
      },
      n2: {
        unitId: A,
        districtUnitId: A,
        stage: 'district_review',
        field: 'culture_society',
        kind: 'individual',
        entered: 50,
        created: 80,
        accepted: 50,
        task: {
          role: 'district_reviewer',
          unitId: A,
          userId: user['demo.district'],
          overdue: false,
          dueIn: 20,
        },
      },
      n3: {
        unitId: B,
        districtUnitId: B,
        stage: 'provincial_proposal',
        field: 'economic',
        kind: 'collective',
        entered: 200,
        created: 400,
        accepted: 300,
        districtRecognized: 200,
        task: { role: 'district_reviewer', unitId: B, overdue: true, dueIn: -30 },
      },
      n4: {
        unitId: C,
        districtUnitId: C,
        stage: 'provincial_review',
        field: 'defense_security',
        kind: 'collective',
        entered: 20,
        created: 300,
        accepted: 250,
        districtRecognized: 100,
        proposed: 20,
        task: {
          role: 'provincial_reviewer',
          unitId: provinceId,
          userId: user['demo.province'],
          overdue: false,
          dueIn: 100,
        },
      },
      n5: {
        unitId: B,
        districtUnitId: B,
        stage: 'district_registration',
        field: 'economic',
        kind: 'individual',
        entered: 150,
        created: 150,
        task: { role: 'submitter', unitId: B, overdue: false, dueIn: 5, kind: 'revision' },
      },
      // Waits with no open task (e.g. between two steps of the workflow).
      n6: {
        unitId: C,
        districtUnitId: C,
        stage: 'recognition',
        field: 'political_system',
        kind: 'collective',
        entered: 5,
        created: 500,
        accepted: 450,
        districtRecognized: 400,
        proposed: 300,
        recommended: 5,
      },
      c1: {
        unitId: unit['Thị trấn Võ Xu'],
        districtUnitId: A,
        stage: 'closed',
        outcome: 'recognized_provincial',
        field: 'economic',
        kind: 'collective',
        entered: 600,
        created: 800,
        accepted: 790,
        districtRecognized: 770,
        proposed: 740,
        recommended: 700,
        recognized: 650,
      },
      c2: {
        unitId: B,
        districtUnitId: B,
        stage: 'closed',
        outcome: 'rejected',
        field: 'culture_society',
        kind: 'individual',
        entered: 700,
        created: 720,
      },
      c3: {
        unitId: B,
        districtUnitId: B,
        stage: 'closed',
        outcome: 'recognized_district',
        field: 'economic',
        kind: 'collective',
        entered: 600,
        created: 800,
        accepted: 780,
        districtRecognized: 750,
      },
      c4: {
        unitId: C,
        districtUnitId: C,
        stage: 'closed',
        outcome: 'withdrawn',
        field: 'defense_security',
        kind: 'collective',
        entered: 600,
        created: 800,
        accepted: 796,
      },
    };
    campaignId = await campaign(2022);
    otherCampaignId = (await t.call('GET', '/campaigns')).body.find(
      (c: { year: number }) => c.year !== 2022,
    ).id;
    for (const [key, n] of Object.entries(plan)) ids[key] = await insert(campaignId, key, n);
    ids.other = await insert(otherCampaignId, 'other', { ...plan.n1, task: undefined });
  });
  afterAll(() => t?.close());

  const summary = (query: string) => t.call('GET', `/pipeline/summary?campaignId=${campaignId}${query}`);

  /** Every figure of a summary is the sum of its rows. */
  function expectPartsAddUp(s: {
    totals: Record<string, unknown>;
    rows: { stage: string; outcome: string | null; count: number; overdueTasks: number }[];
    units: Record<string, unknown>[];
    fields: Record<string, unknown>[];
    kinds: Record<string, unknown>[];
    stages: { stage: string; open: number; overdueTasks: number }[];
  }) {
    const totals = s.totals as {
      total: number;
      open: number;
      closed: number;
      overdueTasks: number;
      byStage: Record<string, number>;
      byOutcome: Record<string, number>;
    };
    const rows = s.rows;
    const sum = (xs: { count: number }[]) => xs.reduce((a, r) => a + r.count, 0);
    expect(totals.total).toBe(sum(rows));
    expect(totals.open + totals.closed).toBe(totals.total);
    expect(totals.closed).toBe(sum(rows.filter((r) => r.stage === 'closed')));
    expect(totals.overdueTasks).toBe(rows.reduce((a, r) => a + r.overdueTasks, 0));
    for (const stage of STAGES) {
      expect(totals.byStage[stage]).toBe(sum(rows.filter((r) => r.stage === stage)));
      const st = s.stages.find((x) => x.stage === stage)!;
      expect(st.open).toBe(totals.byStage[stage]);
      expect(st.overdueTasks).toBe(
        rows.filter((r) => r.stage === stage).reduce((a, r) => a + r.overdueTasks, 0),
      );
    }
    for (const outcome of OUTCOMES) {
      expect(totals.byOutcome[outcome]).toBe(sum(rows.filter((r) => r.outcome === outcome)));
    }
    expect(Object.values(totals.byStage).reduce((a, b) => a + b, 0)).toBe(totals.open);
    expect(Object.values(totals.byOutcome).reduce((a, b) => a + b, 0)).toBe(totals.closed);
    for (const group of [s.units, s.fields, s.kinds] as Record<string, number | Record<string, number>>[][]) {
      for (const k of ['total', 'open', 'closed', 'overdueTasks']) {
        expect(group.reduce((a, g) => a + (g[k] as number), 0)).toBe(totals[k as keyof typeof totals]);
      }
      for (const stage of STAGES) {
        expect(group.reduce((a, g) => a + (g.byStage as Record<string, number>)[stage], 0)).toBe(
          totals.byStage[stage],
        );
      }
    }
  }

  it('summarises the campaign: counts by stage, unit, field, kind and outcome, overdue, oldest, medians', async () => {
    const res = await summary('');
    expect(res.status).toBe(200);
    const s = res.body;
    expect(s.filters).toEqual({ unitId: null, field: null });
    expect(s.totals).toEqual({
      total: 10,
      open: 6,
      closed: 4,
      overdueTasks: 2,
      byStage: {
        district_registration: 2,
        district_review: 1,
        provincial_proposal: 1,
        provincial_review: 1,
        recognition: 1,
      },
      byOutcome: {
        recognized_provincial: 1,
        recognized_district: 1,
        not_recognized: 0,
        rejected: 1,
        withdrawn: 1,
        expired: 0,
      },
    });
    expectPartsAddUp(s);
    const stage = (name: string) => s.stages.find((x: { stage: string }) => x.stage === name);
    expect(stage('district_registration')).toMatchObject({
      open: 2,
      overdueTasks: 1,
      oldestWaiting: {
        nominationId: ids.n5,
        title: 'Mô hình n5',
        unitId: unit['Huyện Tánh Linh'],
        unitName: 'Huyện Tánh Linh',
      },
    });
    expect(stage('district_registration').oldestWaiting.waitingHours).toBeCloseTo(150, 0);
    expect(stage('provincial_proposal')).toMatchObject({ open: 1, overdueTasks: 1 });
    expect(stage('recognition').oldestWaiting).toMatchObject({
      nominationId: ids.n6,
      unitName: 'Thành phố Phan Thiết',
    });

    // Medians of the time between consecutive milestones, of the nominations that went through each stage.
    const all = Object.values(plan);
    for (const [name, from, to] of SPANS) {
      const spans = all
        .filter((n) => n[from] !== undefined && n[to] !== undefined)
        .map((n) => n[from]! - n[to]!);
      expect(stage(name)).toMatchObject({ medianHours: median(spans), measured: spans.length });
    }
    expect(stage('district_registration')).toMatchObject({ medianHours: 30, measured: 7 });
    expect(stage('district_review')).toMatchObject({ medianHours: 50, measured: 5 });
    expect(stage('provincial_review')).toMatchObject({ medianHours: 167.5, measured: 2 });
    // The same as PostgreSQL's percentile_cont over the whole campaign.
    const [pg] = await t.db.dataSource.query(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM district_recognized_at - accepted_at) / 3600) AS m
         FROM nominations WHERE campaign_id = $1`,
      [campaignId],
    );
    expect(stage('district_review').medianHours).toBeCloseTo(pg.m, 1);

    const ducLinh = s.units.find((u: { name: string }) => u.name === 'Huyện Đức Linh');
    expect(ducLinh).toMatchObject({ total: 3, open: 2, closed: 1, overdueTasks: 1 });
    expect(s.units.map((u: { name: string }) => u.name)).toEqual([
      'Huyện Đức Linh',
      'Huyện Tánh Linh',
      'Thành phố Phan Thiết',
    ]);
    expect(s.fields.find((f: { field: string }) => f.field === 'economic')).toMatchObject({
      total: 5,
      open: 3,
    });
    expect(s.kinds.find((k: { kind: string }) => k.kind === 'individual')).toMatchObject({
      total: 3,
      closed: 1,
    });
  });

  it('filters the summary by a unit’s subtree and by field', async () => {
    const district = (await summary(`&unitId=${unit['Huyện Đức Linh']}`)).body;
    expect(district.filters).toEqual({ unitId: unit['Huyện Đức Linh'], field: null });
    expect(district.totals).toMatchObject({ total: 3, open: 2, closed: 1, overdueTasks: 1 });
    expectPartsAddUp(district);
    expect(district.stages[0].oldestWaiting.nominationId).toBe(ids.n1);

    const grassroots = (await summary(`&unitId=${unit['Xã Nam Chính']}`)).body;
    expect(grassroots.totals).toMatchObject({ total: 1, open: 1, overdueTasks: 1 });
    expect(grassroots.rows).toEqual([
      {
        stage: 'district_registration',
        outcome: null,
        districtUnitId: unit['Huyện Đức Linh'],
        field: 'economic',
        kind: 'collective',
        count: 1,
        overdueTasks: 1,
      },
    ]);

    const province = (await summary(`&unitId=${provinceId}`)).body;
    expect(province.totals.total).toBe(10);

    const economic = (await summary('&field=economic')).body;
    expect(economic.totals).toMatchObject({ total: 5, open: 3, closed: 2, overdueTasks: 2 });
    expectPartsAddUp(economic);
    const both = (await summary(`&field=economic&unitId=${unit['Huyện Tánh Linh']}`)).body;
    expect(both.totals).toMatchObject({ total: 3, open: 2, closed: 1 });
    expect(both.stages[0].medianHours).toBe(60);

    const [other] = await t.db.dataSource.query(
      `INSERT INTO units (name, level) VALUES ('Tỉnh Ninh Thuận', 'province') RETURNING id`,
    );
    expect(await summary(`&unitId=${other.id}`)).toMatchObject({
      status: 422,
      body: { message: expect.stringContaining('unitId') },
    });
    expect((await summary('&field=sports')).status).toBe(400);
    expect((await t.call('GET', '/pipeline/summary')).status).toBe(400);
  });

  it('lists open nominations longest waiting first, with whom each waits for', async () => {
    const res = await t.call('GET', `/pipeline/stuck?campaignId=${campaignId}`);
    expect(res.status).toBe(200);
    expect(res.body.open).toBe(6);
    const items = res.body.items;
    expect(items.map((i: { nominationId: string }) => i.nominationId)).toEqual(
      ['n3', 'n5', 'n1', 'n2', 'n4', 'n6'].map((k) => ids[k]),
    );
    expect(items[0]).toMatchObject({
      stage: 'provincial_proposal',
      title: 'Mô hình n3',
      districtUnitName: 'Huyện Tánh Linh',
      task: { kind: 'review', overdue: true, dueAt: new Date(t0 - 30 * HOUR).toISOString() },
      waitingFor: {
        unitId: unit['Huyện Tánh Linh'],
        unitName: 'Huyện Tánh Linh',
        role: 'district_reviewer',
        userId: null,
        userName: null,
        label: 'Huyện Tánh Linh · district_reviewer',
      },
    });
    expect(items[0].waitingHours).toBeCloseTo(200, 0);
    expect(items[1]).toMatchObject({
      task: { kind: 'revision', overdue: false },
      waitingFor: { role: 'submitter', unitName: 'Huyện Tánh Linh' },
    });
    expect(items[2]).toMatchObject({ unitName: 'Xã Nam Chính', districtUnitName: 'Huyện Đức Linh' });
    expect(items[3].waitingFor).toEqual({
      unitId: unit['Huyện Đức Linh'],
      unitName: 'Huyện Đức Linh',
      role: 'district_reviewer',
      userId: user['demo.district'],
      userName: 'Nguyễn Văn Bình',
      label: 'Huyện Đức Linh · district_reviewer · Nguyễn Văn Bình',
    });
    expect(items[4].waitingFor.label).toBe('Tỉnh Bình Thuận · provincial_reviewer · Lê Thị Thu');
    expect(items[5]).toMatchObject({ nominationId: ids.n6, task: null, waitingFor: null });

    const two = await t.call('GET', `/pipeline/stuck?campaignId=${campaignId}&limit=2`);
    expect(two.body.items.map((i: { nominationId: string }) => i.nominationId)).toEqual([ids.n3, ids.n5]);
    expect((await t.call('GET', `/pipeline/stuck?campaignId=${campaignId}&limit=0`)).status).toBe(400);
    expect((await t.call('GET', `/pipeline/stuck?campaignId=${campaignId}&limit=501`)).status).toBe(400);
  });

  it('shows the pipeline to the province’s admins and provincial reviewers only; 404 outside the province', async () => {
    for (const path of ['/pipeline/summary', '/pipeline/stuck']) {
      expect(
        (await as('demo.province', () => t.call('GET', `${path}?campaignId=${campaignId}`))).status,
      ).toBe(200);
      for (const who of ['demo.district', 'demo.submitter', 'admin.duclinh']) {
        const res = await as(who, () => t.call('GET', `${path}?campaignId=${campaignId}`));
        expect(res).toMatchObject({
          status: 403,
          body: { message: expect.stringContaining("campaign's province") },
        });
      }
      expect(await t.call('GET', `${path}?campaignId=${randomUUID()}`)).toMatchObject({
        status: 404,
        body: { message: 'campaign not found' },
      });
    }
    const [other] = await t.db.dataSource.query(
      `INSERT INTO units (name, level) VALUES ('Tỉnh Lâm Đồng', 'province') RETURNING id`,
    );
    const foreign = randomUUID();
    await t.db.dataSource.query(
      `INSERT INTO campaigns (id, name, year, province_unit_id, calendar, registration_opens_at, workflow_id, closed_at)
       VALUES ($1, 'Lâm Đồng', 2022, $2, '{}', now(), $3, now())`,
      [foreign, other.id, `campaign-${foreign}`],
    );
    expect((await t.call('GET', `/pipeline/summary?campaignId=${foreign}`)).status).toBe(404);
    expect((await t.call('GET', `/pipeline/stuck?campaignId=${foreign}`)).status).toBe(404);
  });

  it('adds every summary figure up from its rows on random data', async () => {
    const id = await campaign(2020);
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const districts = ['Huyện Đức Linh', 'Huyện Tánh Linh', 'Huyện Phú Quý', 'Thị xã La Gi'].map(
      (n) => unit[n],
    );
    const stages = [...STAGES, 'closed', 'closed'];
    const values: unknown[][] = [];
    for (let i = 0; i < 300; i++) {
      const stage = stages[Math.floor(next() * stages.length)];
      values.push([
        districts[Math.floor(next() * districts.length)],
        FIELDS[Math.floor(next() * 4)],
        KINDS[Math.floor(next() * 2)],
        stage,
        stage === 'closed' ? OUTCOMES[Math.floor(next() * OUTCOMES.length)] : null,
        stage !== 'closed' && next() < 0.4,
      ]);
    }
    await t.db.dataSource.query(
      `WITH n AS (
         INSERT INTO nominations (id, campaign_id, unit_id, district_unit_id, title, description, field, kind,
                                  nominee_name, stage, outcome, workflow_id, created_by, created_at, updated_at,
                                  stage_entered_at, accepted_at)
         SELECT gen_random_uuid(), $1, v.unit_id, v.unit_id, 'Ngẫu nhiên ' || v.i, 'Mô tả', v.field, v.kind, 'Đơn vị',
                v.stage, v.outcome, $9 || v.i, $2, now() - v.i * interval '1 hour', now(),
                now() - v.i * interval '30 minutes', CASE WHEN v.i % 3 = 0 THEN now() - v.i * interval '20 minutes' END
           FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bool[]) WITH ORDINALITY
                AS v(unit_id, field, kind, stage, outcome, overdue, i)
         RETURNING id, district_unit_id, stage, workflow_id, stage_entered_at)
       INSERT INTO tasks (id, nomination_id, workflow_id, stage, status, allowed_decisions, assignee_role,
                          assignee_unit_id, overdue, opened_at)
       SELECT gen_random_uuid(), n.id, n.workflow_id, n.stage, 'open', '[]', 'district_reviewer', n.district_unit_id,
              v.overdue, n.stage_entered_at
         FROM n JOIN unnest($8::bool[]) WITH ORDINALITY AS v(overdue, i) ON n.workflow_id = $9 || v.i
        WHERE n.stage <> 'closed'`,
      [id, adminId, ...[0, 1, 2, 3, 4, 5].map((k) => values.map((v) => v[k])), `random-${id}-`],
    );
    const s = (await t.call('GET', `/pipeline/summary?campaignId=${id}`)).body;
    expect(s.totals.total).toBe(300);
    expectPartsAddUp(s);
    const [direct] = await t.db.dataSource.query(
      `SELECT count(*) FILTER (WHERE n.stage <> 'closed')::int AS open,
              (SELECT count(*)::int FROM tasks t JOIN nominations m ON m.id = t.nomination_id
                WHERE m.campaign_id = $1 AND t.status = 'open' AND t.overdue) AS overdue
         FROM nominations n WHERE n.campaign_id = $1`,
      [id],
    );
    expect(s.totals.open).toBe(direct.open);
    expect(s.totals.overdueTasks).toBe(direct.overdue);
    expect(s.totals.overdueTasks).toBe(values.filter((v) => v[5]).length);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await t.call('GET', '/docs-json')).body;
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    const param = (name: string, where: string, required: boolean) =>
      expect.objectContaining({ name, in: where, required });
    const operations = [
      [
        '/pipeline/summary',
        [param('campaignId', 'query', true), param('unitId', 'query', false)],
        ref('PipelineSummaryDto'),
      ],
      [
        '/pipeline/stuck',
        [param('campaignId', 'query', true), param('limit', 'query', false)],
        ref('PipelineStuckDto'),
      ],
      ['/campaigns/{id}/report', [param('id', 'path', true)], ref('CampaignReportDto')],
      ['/audit', [param('campaignId', 'query', false)], { type: 'array', items: ref('AuditEntryDto') }],
    ] as const;
    for (const [path, parameters, schema] of operations) {
      const get = doc.paths[path].get;
      // Every one of them needs a signed-in caller, and says so.
      expect({ path, security: get.security }).toEqual({ path, security: [{ bearer: [] }] });
      expect(get.parameters).toEqual(expect.arrayContaining([...parameters]));
      expect(get.responses['200'].content['application/json'].schema).toEqual(schema);
    }
    expect(doc.components.schemas.PipelineSummaryDto.required).toEqual(
      expect.arrayContaining(['totals', 'rows']),
    );
  });

  describe('the audit log', () => {
    const events: { key: string; actor: string; at: number; action: string; comment?: string }[] = [
      { key: 'n1', actor: 'system', at: 100, action: 'registered' },
      { key: 'n2', actor: 'demo.district', at: 50, action: 'decided', comment: 'Đạt, đề nghị "công nhận"' },
      { key: 'n3', actor: 'demo.district', at: 40, action: 'decided', comment: '=HYPERLINK("x")' },
      { key: 'n4', actor: 'demo.province', at: 20, action: 'claimed' },
      { key: 'c1', actor: 'demo.province', at: 10, action: 'decided', comment: 'Nhiều dòng\nthứ hai' },
      { key: 'n1', actor: 'demo.province', at: 5, action: 'deadline_extended' },
      { key: 'other', actor: 'demo.district', at: 3, action: 'registered' },
    ];
    const names: Record<string, [string, string | null]> = {
      system: ['Hệ thống', null],
      'demo.district': ['Nguyễn Văn Bình', 'district_reviewer'],
      'demo.province': ['Lê Thị Thu', 'provincial_reviewer'],
    };

    beforeAll(async () => {
      let seq = 100;
      for (const e of events) {
        const [name, role] = names[e.actor];
        await t.db.dataSource.query(
          `INSERT INTO audit_events (nomination_id, workflow_id, seq, action, actor_type, actor_user_id, actor_name,
                                     actor_role, stage_after, comment, occurred_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'district_review', $9, $10)`,
          [
            ids[e.key],
            `nomination-${ids[e.key]}`,
            seq++,
            e.action,
            e.actor === 'system' ? 'system' : 'user',
            e.actor === 'system' ? null : user[e.actor],
            name,
            role,
            e.comment ?? null,
            ago(e.at),
          ],
        );
      }
    });

    const audit = (query = '') => t.call('GET', `/audit${query}`);
    const keysOf = (body: { nominationId: string; action: string }[]) =>
      body.map((e) => `${Object.keys(ids).find((k) => ids[k] === e.nominationId)}:${e.action}`);

    it('lists the events of the admin’s subtree newest first, filtered by campaign, actor and time', async () => {
      const all = await audit();
      expect(all.status).toBe(200);
      expect(keysOf(all.body)).toEqual([
        'other:registered',
        'n1:deadline_extended',
        'c1:decided',
        'n4:claimed',
        'n3:decided',
        'n2:decided',
        'n1:registered',
      ]);
      expect(all.body[2]).toMatchObject({
        nominationTitle: 'Mô hình c1',
        campaignId,
        actor: {
          type: 'user',
          userId: user['demo.province'],
          name: 'Lê Thị Thu',
          role: 'provincial_reviewer',
        },
        comment: 'Nhiều dòng\nthứ hai',
        occurredAt: ago(10),
      });
      expect(all.headers.get('x-next-cursor')).toBeNull();

      expect(keysOf((await audit(`?campaignId=${campaignId}`)).body)).toHaveLength(6);
      // Name contains, case and diacritics ignored; or the user's id.
      for (const q of ['binh', 'BÌNH', 'nguyen van', 'Nguyễn Văn Bình']) {
        expect(keysOf((await audit(`?actor=${encodeURIComponent(q)}`)).body)).toEqual([
          'other:registered',
          'n3:decided',
          'n2:decided',
        ]);
      }
      expect(keysOf((await audit(`?actor=${encodeURIComponent('hệ thống')}`)).body)).toEqual([
        'n1:registered',
      ]);
      expect(keysOf((await audit(`?actor=${user['demo.province']}`)).body)).toEqual([
        'n1:deadline_extended',
        'c1:decided',
        'n4:claimed',
      ]);
      expect((await audit('?actor=%25')).body).toEqual([]);
      const range = `?from=${encodeURIComponent(ago(45))}&to=${encodeURIComponent(ago(10))}`;
      expect(keysOf((await audit(range)).body)).toEqual(['n4:claimed', 'n3:decided']);
      expect(keysOf((await audit(`${range}&campaignId=${campaignId}&actor=binh`)).body)).toEqual([
        'n3:decided',
      ]);
    });

    it('pages by cursor without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | null = '';
      let pages = 0;
      while (cursor !== null) {
        const res = await audit(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        seen.push(...keysOf(res.body));
        cursor = res.headers.get('x-next-cursor');
        pages++;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(keysOf((await audit()).body));
      expect(await audit('?cursor=bogus')).toMatchObject({
        status: 400,
        body: { message: expect.stringContaining('cursor') },
      });
    });

    it('exports CSV with a BOM, quoted comments and formulas kept inert', async () => {
      const res = await fetch(`${t.app.url}/audit?format=csv&campaignId=${campaignId}`, {
        headers: { authorization: `Bearer ${t.token}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(
        /^attachment; filename="nhat-ky-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      const bytes = Buffer.from(await res.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
      expect(text.startsWith('\uFEFFThời gian,Hồ sơ,Mã hồ sơ,Hành động,Người thực hiện,')).toBe(true);
      expect(text).toContain(
        `,Mô hình n2,${ids.n2},decided,Nguyễn Văn Bình,${user['demo.district']},district_reviewer,`,
      );
      expect(text).toContain('"Đạt, đề nghị ""công nhận"""');
      expect(text).toContain(`"'=HYPERLINK(""x"")"`);
      expect(text).toContain('"Nhiều dòng\nthứ hai"');
      // Header, six events (one of them spans two lines), and the final line end.
      expect(text.split('\r\n')).toHaveLength(1 + 6 + 1);
    });

    it('is for administrators, within their subtree', async () => {
      const district = await as('admin.duclinh', () => audit());
      expect(district.status).toBe(200);
      expect(keysOf(district.body)).toEqual([
        'other:registered',
        'n1:deadline_extended',
        'c1:decided',
        'n2:decided',
        'n1:registered',
      ]);
      for (const who of ['demo.province', 'demo.district']) {
        expect(await as(who, () => audit())).toMatchObject({
          status: 403,
          body: { message: 'only an admin may read the audit log' },
        });
      }
      expect(await audit(`?campaignId=${randomUUID()}`)).toMatchObject({
        status: 404,
        body: { message: 'campaign not found' },
      });
      expect(
        (await audit(`?from=${encodeURIComponent(ago(1))}&to=${encodeURIComponent(ago(2))}`)).status,
      ).toBe(400);
      expect((await audit('?from=yesterday')).status).toBe(400);
      expect((await audit('?format=xml')).status).toBe(400);
    });
  });
});
