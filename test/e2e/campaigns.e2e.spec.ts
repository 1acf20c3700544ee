import { STAGES } from '../../src/domain/nomination';
import type { Calendar } from '../../src/domain/calendar';
import { TestApp } from '../support/http-app';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A round starting now: stage i due (i+1) days from `from`, cut off 12 hours later. */
function calendarFrom(from: number): Calendar {
  const stages = {} as Calendar['stages'];
  STAGES.forEach((stage, i) => {
    const due = from + (i + 1) * 24 * HOUR;
    stages[stage] = { dueAt: iso(due), cutoffAt: iso(due + 12 * HOUR) };
  });
  return { stages, reminderOffsetsHours: [72, 24], revisionWindowHours: 168 };
}

/**
 * Campaigns over HTTP against the real dev server and PostgreSQL: creation and its validation, the
 * registration window and the province's units, unit status with quotas, and calendar moves that the
 * campaign workflow saves, audits and fans out to in-flight nominations.
 */
describe('campaigns over HTTP', () => {
  let t: TestApp;
  let provinceId: string;
  let ducLinh: string;
  let namChinh: string;
  let year = 2090;

  beforeAll(async () => {
    t = await TestApp.start();
    await t.login();
    const [province] = (await t.call('GET', '/units')).body;
    provinceId = province.id;
    const district = province.children.find((u: { name: string }) => u.name === 'Huyện Đức Linh');
    ducLinh = district.id;
    namChinh = district.children.find((u: { name: string }) => u.name === 'Xã Nam Chính').id;
  });
  afterAll(() => t?.close());

  async function createCampaign(extra: Record<string, unknown> = {}, calendar = calendarFrom(Date.now())) {
    const res = await t.call('POST', '/campaigns', {
      name: `Dân vận khéo ${year}`,
      year: year++,
      provinceUnitId: provinceId,
      calendar,
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  const model = (campaignId: string, unitId: string, title = 'Mô hình "Chợ phiên nông sản sạch"') => ({
    campaignId,
    unitId,
    title,
    description: 'Kết nối hộ nông dân với người tiêu dùng mỗi sáng chủ nhật.',
    field: 'economic',
    kind: 'collective',
    nomineeName: 'Hội Nông dân xã Nam Chính',
  });

  async function decideOpenTask(nominationId: string, decision: string) {
    const [task] = (await t.call('GET', `/tasks?nominationId=${nominationId}`)).body;
    return t.call('POST', `/tasks/${task.id}/decision`, { decision });
  }

  it('refuses an invalid campaign with 422 naming each field, a duplicate year with 409, and non-admins with 403', async () => {
    const calendar = calendarFrom(Date.now());
    calendar.stages.district_review.cutoffAt = iso(Date.parse(calendar.stages.district_review.dueAt) - HOUR);
    delete (calendar.stages as Partial<Calendar['stages']>).recognition;
    const invalid = await t.call('POST', '/campaigns', {
      name: 'Dân vận khéo',
      year: 2080,
      provinceUnitId: ducLinh,
      calendar,
      quotas: { perUnit: -1, perField: { sports: 2 } },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.details).toEqual(
      expect.arrayContaining([
        { field: 'calendar.stages.district_review.cutoffAt', reason: 'must not be before dueAt' },
        { field: 'calendar.stages.recognition', reason: 'is required' },
        { field: 'quotas.perUnit', reason: 'must be a whole number from 0' },
        { field: 'quotas.perField.sports', reason: expect.stringContaining('is not a field') },
        { field: 'provinceUnitId', reason: 'must be a province' },
      ]),
    );
    expect(invalid.body.message).toContain('calendar.stages.recognition is required');

    const noName = await t.call('POST', '/campaigns', {
      year: 2080,
      provinceUnitId: provinceId,
      calendar: {},
    });
    expect(noName.status).toBe(400);
    expect(noName.body.message).toContain('name');

    const created = await createCampaign();
    expect(created).toMatchObject({
      provinceUnitId: provinceId,
      workflowId: `campaign-${created.id}`,
      closedAt: null,
    });
    const again = await t.call('POST', '/campaigns', {
      name: 'Lần nữa',
      year: created.year,
      provinceUnitId: provinceId,
      calendar: calendarFrom(Date.now()),
    });
    expect(again).toMatchObject({
      status: 409,
      body: { message: `year: this province already has a campaign for ${created.year}` },
    });

    await t.login('demo.district', 'demo-password');
    const forbidden = await t.call('POST', '/campaigns', {
      name: 'Không được',
      year: 2081,
      provinceUnitId: provinceId,
      calendar: calendarFrom(Date.now()),
    });
    expect(forbidden.status).toBe(403);
    await t.login();
  });

  it('registers only inside the campaign province, through a district, while registration is open', async () => {
    const campaign = await createCampaign();
    const fromGrassroots = await t.call('POST', '/nominations', model(campaign.id, namChinh));
    expect(fromGrassroots).toMatchObject({
      status: 201,
      body: { unitId: namChinh, districtUnitId: ducLinh },
    });
    // A grassroots unit's model is reviewed by its district-level unit.
    const [task] = (await t.call('GET', `/tasks?nominationId=${fromGrassroots.body.id}`)).body;
    expect(task).toMatchObject({ stage: 'district_registration', assigneeUnitId: ducLinh });

    const [other] = await t.db.dataSource.query(
      `INSERT INTO units (name, level) VALUES ('Tỉnh Ninh Thuận', 'province') RETURNING id`,
    );
    const [outside] = await t.db.dataSource.query(
      `INSERT INTO units (name, level, parent_id) VALUES ('Huyện Ninh Hải', 'district', $1) RETURNING id`,
      [other.id],
    );
    // Outside the caller's own subtree (the province), a unit is answered like an unknown one.
    expect(await t.call('POST', '/nominations', model(campaign.id, outside.id))).toMatchObject({
      status: 422,
      body: { message: 'unitId: no unit with this id' },
    });
    expect(await t.call('POST', '/nominations', model(campaign.id, provinceId))).toMatchObject({
      status: 422,
      body: {
        message: 'unitId: a province does not register models; a district-level or grassroots unit does',
      },
    });

    const now = Date.now();
    const notYet = await createCampaign({ registrationOpensAt: iso(now + 2 * HOUR) });
    const early = await t.call('POST', '/nominations', model(notYet.id, ducLinh));
    expect(early).toMatchObject({
      status: 409,
      body: { message: expect.stringMatching(/^campaignId: registration opens at /) },
    });

    const lateCalendar = calendarFrom(now);
    lateCalendar.stages.district_registration = { dueAt: iso(now - HOUR), cutoffAt: iso(now + HOUR) };
    const closed = await createCampaign({ registrationOpensAt: iso(now - 2 * HOUR) }, lateCalendar);
    const late = await t.call('POST', '/nominations', model(closed.id, ducLinh));
    expect(late).toMatchObject({
      status: 409,
      body: {
        message: `campaignId: registration closed at ${lateCalendar.stages.district_registration.dueAt}`,
      },
    });
    // Nothing half-written: no nomination row for the refused registrations.
    const [{ count }] = await t.db.dataSource.query(
      `SELECT count(*)::int AS count FROM nominations WHERE campaign_id = ANY($1)`,
      [[notYet.id, closed.id]],
    );
    expect(count).toBe(0);
  });

  it('shows each unit’s status against the quota, and refuses a proposal beyond it with the reason', async () => {
    const campaign = await createCampaign();
    const ids: string[] = [];
    for (const title of ['Mô hình "Nhà nhân ái"', 'Mô hình "Đèn đường tự quản"']) {
      const res = await t.call('POST', '/nominations', model(campaign.id, namChinh, title));
      ids.push(res.body.id);
      expect((await decideOpenTask(res.body.id, 'accept')).status).toBe(200);
      expect((await decideOpenTask(res.body.id, 'recognize')).status).toBe(200);
    }
    const quotas = await t.call('PATCH', `/campaigns/${campaign.id}/quotas`, { quotas: { perUnit: 1 } });
    expect(quotas).toMatchObject({ status: 200, body: { quotas: { perUnit: 1 } } });
    expect(
      (await t.call('PATCH', `/campaigns/${campaign.id}/quotas`, { quotas: { perUnit: 'many' } })).status,
    ).toBe(422);

    expect(await decideOpenTask(ids[0], 'propose')).toMatchObject({
      status: 200,
      body: { stage: 'provincial_review' },
    });
    expect(await decideOpenTask(ids[1], 'propose')).toMatchObject({
      status: 409,
      body: { message: 'quota reached: Huyện Đức Linh has proposed 1 of its quota of 1 models' },
    });

    const status = (await t.call('GET', `/campaigns/${campaign.id}/units`)).body;
    expect(status.units).toHaveLength(14);
    expect(status.units.find((u: { unitId: string }) => u.unitId === ducLinh)).toMatchObject({
      name: 'Huyện Đức Linh',
      registered: 2,
      districtRecognized: 2,
      proposed: 1,
      provinciallyRecognized: 0,
      // The second model still waits for its proposal decision; the first is the province's work now.
      openTasks: 1,
      overdueTasks: 0,
      submitted: { district_registration: true, district_review: true, provincial_proposal: true },
      quota: { overall: { cap: 1, proposed: 1 }, perField: { economic: { cap: null, proposed: 1 } } },
    });
    const proposal = status.stages.find((s: { stage: string }) => s.stage === 'provincial_proposal');
    expect(proposal).toMatchObject({ submitted: 1, total: 14, closed: false });
    expect(proposal.summary).toMatch(/^1 of 14 units proposed; missing: /);
    expect(proposal.missing).toHaveLength(13);
    expect(proposal.missing.map((u: { name: string }) => u.name)).not.toContain('Huyện Đức Linh');
  });

  it('moves in-flight nominations through the campaign workflow, audits it, and refuses a cut-off in the past', async () => {
    const calendar = calendarFrom(Date.now());
    const campaign = await createCampaign({}, calendar);
    const id = (await t.call('POST', '/nominations', model(campaign.id, ducLinh))).body.id;
    const [task] = (await t.call('GET', `/tasks?nominationId=${id}`)).body;

    const past = structuredClone(calendar);
    past.stages.district_registration.cutoffAt = iso(Date.now() - HOUR);
    past.stages.district_registration.dueAt = iso(Date.now() - 2 * HOUR);
    expect(await t.call('PATCH', `/campaigns/${campaign.id}/calendar`, past)).toMatchObject({
      status: 422,
      body: {
        message:
          'calendar.stages.district_registration.cutoffAt must be in the future for a stage still open',
      },
    });

    const moved = structuredClone(calendar);
    moved.stages.district_registration = {
      dueAt: iso(Date.parse(calendar.stages.district_registration.dueAt) + 6 * HOUR),
      cutoffAt: iso(Date.parse(calendar.stages.district_registration.cutoffAt) + 6 * HOUR),
    };
    const changed = await t.call('PATCH', `/campaigns/${campaign.id}/calendar`, moved);
    expect(changed).toMatchObject({ status: 200, body: { signalled: 1, campaign: { calendar: moved } } });
    const events = (await t.call('GET', `/campaigns/${campaign.id}/events`)).body;
    expect(events).toEqual([
      expect.objectContaining({
        action: 'calendar_changed',
        actor: expect.objectContaining({ type: 'user', name: 'Quản trị viên' }),
      }),
    ]);

    // The nomination handles the signal in its own workflow task: wait for it to have recorded the change.
    await t.stepsRecorded(id, 'deadline_changed');
    const history: { action: string }[] = (await t.call('GET', `/nominations/${id}/history`)).body;
    expect(history.filter((e) => e.action === 'deadline_changed')).toHaveLength(1);
    const [row] = await t.db.dataSource.query('SELECT due_at, cutoff_at FROM tasks WHERE id = $1', [task.id]);
    expect({ dueAt: row.due_at.toISOString(), cutoffAt: row.cutoff_at.toISOString() }).toEqual(
      moved.stages.district_registration,
    );
  });
});
