import { randomUUID } from 'node:crypto';
import { campaignWorkflowId } from '../../src/domain/campaign';
import { type Calendar, HOUR_MS } from '../../src/domain/calendar';
import { STAGES } from '../../src/domain/nomination';
import { noticeText } from '../../src/domain/notices';
import { campaignStateQuery, changeCalendarUpdate } from '../../src/contracts/campaign.messages';
import { REFUSAL } from '../../src/contracts/failures';
import { stateQuery } from '../../src/contracts/nomination.messages';
import { createUser } from '../support/fixtures';
import { DAY_MS, iso, near, refusal, WorkflowHarness } from '../support/workflow-harness';

/**
 * The campaign workflow on the time-skipping server: reminders to the units that have submitted
 * nothing before each unit stage's cut-off, the stages closed at their cut-offs with the units that
 * never submitted, and calendar changes fanned out to the open nominations in pages.
 */
describe('campaign workflow', () => {
  const h = new WorkflowHarness();
  let tanhLinh: string;
  let phuQuy: string;
  let year = 3000;

  beforeAll(async () => {
    await h.setUp();
    const ds = h.db.dataSource;
    const district = async (name: string) =>
      (
        await ds.query(
          `INSERT INTO units (name, level, parent_id) VALUES ($1, 'district', $2) RETURNING id`,
          [name, h.org.provinceId],
        )
      )[0].id as string;
    tanhLinh = await district('Huyện Tánh Linh');
    phuQuy = await district('Huyện Phú Quý');
    await createUser(ds, {
      username: 'phuquy-submitter',
      displayName: 'Phạm Văn An',
      role: 'submitter',
      unitId: phuQuy,
    });
  });
  afterAll(() => h.tearDown());

  /** A campaign of its own for each test (one workflow per campaign), in the harness's province. */
  async function newCampaign(): Promise<string> {
    const id = randomUUID();
    await h.db.dataSource.query(
      `INSERT INTO campaigns (id, name, year, province_unit_id, calendar, registration_opens_at, workflow_id)
       VALUES ($1, 'Dân vận khéo', $2, $3, '{}', now(), $4)`,
      [id, year++, h.org.provinceId, campaignWorkflowId(id)],
    );
    return id;
  }

  const stepsOf = (campaignId: string) => h.campaignSteps.filter((s) => s.campaignId === campaignId);
  const names = (units: { name: string }[]) => units.map((u) => u.name);

  it('reminds the units that submitted nothing before each unit stage closes, and names them when it closes', async () => {
    const campaignId = await newCampaign();
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.startCampaign(calendar, campaignId);
    // Đức Linh registers a model and recognizes it; Tánh Linh and Phú Quý do nothing.
    const nomination = await h.start(calendar, { campaignId });
    await h.walk(nomination, ['accept', 'recognize']);
    const cutoff = (i: number) => Date.parse(calendar.stages[STAGES[i]].cutoffAt);

    await h.env.sleep(cutoff(0) - t0 - 73 * HOUR_MS);
    expect(stepsOf(campaignId)).toEqual([]);
    await h.env.sleep(2 * HOUR_MS);
    expect(stepsOf(campaignId)).toEqual([
      expect.objectContaining({
        action: 'stage_reminder',
        stage: 'district_registration',
        offsetHours: 72,
        occurredAt: near(cutoff(0) - 72 * HOUR_MS),
        result: expect.objectContaining({ totalUnits: 3 }),
      }),
    ]);
    expect(names(stepsOf(campaignId)[0].result.missingUnits)).toEqual(['Huyện Phú Quý', 'Huyện Tánh Linh']);
    const notices = (
      await h.db.dataSource.query(
        `SELECT recipient_unit_id, recipient_role, template, params, message FROM notifications
          WHERE campaign_id = $1 ORDER BY idx`,
        [campaignId],
      )
    ).map(({ template, params, message, ...rest }: Record<string, unknown>) => ({
      ...rest,
      message: noticeText({ template: template as string, params, message: message as string | null }, 'vi'),
    }));
    expect(notices).toEqual([
      {
        recipient_unit_id: phuQuy,
        recipient_role: 'submitter',
        message: expect.stringMatching(/^Huyện Phú Quý chưa đăng ký mô hình nào; còn 3 ngày/),
      },
      {
        recipient_unit_id: tanhLinh,
        recipient_role: 'submitter',
        message: expect.stringMatching(/^Huyện Tánh Linh chưa đăng ký mô hình nào; còn 3 ngày/),
      },
      {
        recipient_unit_id: h.org.provinceId,
        recipient_role: 'admin',
        message: expect.stringContaining(
          '1/3 đơn vị đã đăng ký; chưa đăng ký: Huyện Phú Quý, Huyện Tánh Linh',
        ),
      },
    ]);

    // To the end of the proposal stage: Đức Linh recognized a model but proposed nothing.
    await h.env.sleep(cutoff(2) - (await h.env.currentTimeMs()) + HOUR_MS);
    const unitSteps = stepsOf(campaignId).map((s) => ({
      action: s.action,
      stage: s.stage,
      offsetHours: s.offsetHours,
      at: s.occurredAt,
      missing: names(s.result.missingUnits),
    }));
    const late = ['Huyện Phú Quý', 'Huyện Tánh Linh'];
    const all = ['Huyện Đức Linh', ...late].sort();
    /** Per unit stage: reminders 72 and 24 hours before its cut-off, then the closing, each naming `missing`. */
    const stage = (i: number, missing: string[]) => [
      {
        action: 'stage_reminder',
        stage: STAGES[i],
        offsetHours: 72,
        at: near(cutoff(i) - 72 * HOUR_MS),
        missing,
      },
      {
        action: 'stage_reminder',
        stage: STAGES[i],
        offsetHours: 24,
        at: near(cutoff(i) - 24 * HOUR_MS),
        missing,
      },
      { action: 'stage_closed', stage: STAGES[i], offsetHours: undefined, at: near(cutoff(i)), missing },
    ];
    expect(unitSteps).toEqual([...stage(0, late), ...stage(1, late), ...stage(2, all)]);
    // The nomination itself was closed at the same cut-off, keeping its district recognition.
    expect(await nomination.result()).toMatchObject({ outcome: 'recognized_district' });

    // The provincial stages are the province's own work: closed, with no unit list; then the round ends.
    await h.env.sleep(cutoff(4) - (await h.env.currentTimeMs()) + HOUR_MS);
    expect(await handle.result()).toEqual({ campaignId });
    expect(
      stepsOf(campaignId)
        .slice(-3)
        .map((s) => [s.action, s.stage, s.result.totalUnits]),
    ).toEqual([
      ['stage_closed', 'provincial_review', 0],
      ['stage_closed', 'recognition', 0],
      ['round_closed', undefined, 0],
    ]);
    const [row] = await h.db.dataSource.query(`SELECT closed_at FROM campaigns WHERE id = $1`, [campaignId]);
    expect(row.closed_at.getTime()).toBeCloseTo(cutoff(4), -4);
    const events = await h.db.dataSource.query(
      `SELECT action, stage, details FROM campaign_events WHERE campaign_id = $1 AND action = 'stage_closed' ORDER BY seq`,
      [campaignId],
    );
    expect(events[0]).toMatchObject({
      stage: 'district_registration',
      details: { totalUnits: 3, missingUnits: [{ id: phuQuy }, { id: tanhLinh }] },
    });
  });

  it('holds a reminder PostgreSQL refuses, retries it with backoff, and records it once, when allowed', async () => {
    const campaignId = await newCampaign();
    const ds = h.db.dataSource;
    await ds.query(`
      CREATE FUNCTION refuse_campaign_step() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action = 'stage_reminder' AND NEW.campaign_id::text = TG_ARGV[0] THEN
          RAISE EXCEPTION 'refused for the test' USING ERRCODE = '22000';
        END IF;
        RETURN NEW;
      END $$`);
    await ds.query(
      `CREATE TRIGGER refuse_campaign_step BEFORE INSERT ON campaign_events
         FOR EACH ROW EXECUTE FUNCTION refuse_campaign_step('${campaignId}')`,
    );
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    await h.startCampaign(calendar, campaignId);
    const cutoff = Date.parse(calendar.stages.district_registration.cutoffAt);
    const failures = () =>
      ds.query(
        `SELECT action, attempts, actor_user_id, resolved_at IS NOT NULL AS resolved FROM step_failures
          WHERE campaign_id = $1`,
        [campaignId],
      );
    const reminders = async () =>
      (
        await ds.query(
          `SELECT count(*)::int AS n FROM campaign_events WHERE campaign_id = $1 AND action = 'stage_reminder'`,
          [campaignId],
        )
      )[0].n;

    await h.env.sleep(cutoff - t0 - 72 * HOUR_MS + 40 * 60_000); // tried at 0, 1, 3, 7, 15 and 31 minutes
    const [held] = await failures();
    expect(held).toMatchObject({ action: 'stage_reminder', actor_user_id: null, resolved: false });
    expect(held.attempts).toBeGreaterThanOrEqual(5);
    expect(await reminders()).toBe(0);

    await ds.query(`DROP TRIGGER refuse_campaign_step ON campaign_events`);
    await h.env.sleep(2 * HOUR_MS);
    expect(await reminders()).toBe(1);
    expect(await failures()).toEqual([expect.objectContaining({ resolved: true })]);
  });

  it('skips a reminder whose time had passed before the campaign started', async () => {
    const campaignId = await newCampaign();
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0 - 10 * DAY_MS + 30 * HOUR_MS - 5 * DAY_MS); // registration cut-off in 30 hours
    const handle = await h.startCampaign(calendar, campaignId);
    await h.env.sleep(31 * HOUR_MS);
    expect(stepsOf(campaignId).map((s) => [s.action, s.stage, s.offsetHours])).toEqual([
      ['stage_reminder', 'district_registration', 24],
      ['stage_closed', 'district_registration', undefined],
    ]);
    await handle.terminate('test done');
  });

  it('skips a reminder whose time had passed when the calendar moved: 30 hours left gets the 24-hour one only', async () => {
    const campaignId = await newCampaign();
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.startCampaign(calendar, campaignId);
    // Late enough that the new date's 72-hour mark is after the start: the old rule sent it late.
    await h.env.sleep(3 * DAY_MS);
    const movedAt = await h.env.currentTimeMs();
    const moved = structuredClone(calendar);
    moved.stages.district_registration = {
      dueAt: iso(movedAt + 30 * HOUR_MS),
      cutoffAt: iso(movedAt + 30 * HOUR_MS),
    };
    await handle.executeUpdate(changeCalendarUpdate, { args: [{ calendar: moved, actor: h.admin }] });
    await h.env.sleep(31 * HOUR_MS);
    expect(
      stepsOf(campaignId).map((s) => ({
        action: s.action,
        stage: s.stage,
        offsetHours: s.offsetHours,
        at: s.occurredAt,
      })),
    ).toEqual([
      expect.objectContaining({ action: 'calendar_changed', at: near(movedAt) }),
      {
        action: 'stage_reminder',
        stage: 'district_registration',
        offsetHours: 24,
        at: near(movedAt + 6 * HOUR_MS),
      },
      {
        action: 'stage_closed',
        stage: 'district_registration',
        offsetHours: undefined,
        at: near(movedAt + 30 * HOUR_MS),
      },
    ]);
    await handle.terminate('test done');
  });

  it('fans a calendar change out to every open nomination, page by page, and re-arms its own reminders', async () => {
    const campaignId = await newCampaign();
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.startCampaign(calendar, campaignId, { fanOutPageSize: 2 });
    const nominations = [];
    for (const unitId of [h.org.districtId, tanhLinh, phuQuy, tanhLinh, phuQuy]) {
      nominations.push(await h.start(calendar, { campaignId, unitId }));
    }
    const closedOne = nominations.pop()!;
    // Its workflow has completed while the read model still shows it open (as a lagging projection
    // would): the fan-out counts it and carries on.
    await h.decide(closedOne, { taskId: await h.openTaskId(closedOne), decision: 'reject' });
    await closedOne.result();
    await h.db.dataSource.query(
      `UPDATE nominations SET stage = 'district_registration' WHERE workflow_id = $1`,
      [closedOne.workflowId],
    );

    const moved: Calendar = structuredClone(calendar);
    const week = 7 * DAY_MS;
    for (const stage of STAGES) {
      moved.stages[stage] = {
        dueAt: iso(Date.parse(calendar.stages[stage].dueAt) + week),
        cutoffAt: iso(Date.parse(calendar.stages[stage].cutoffAt) + week),
      };
    }
    const state = await handle.executeUpdate(changeCalendarUpdate, {
      args: [{ calendar: moved, actor: h.admin }],
    });
    expect(state.lastFanOut).toEqual({ signalled: 4, closedMeanwhile: 1 });
    expect(state.calendar).toEqual(moved);
    const [row] = await h.db.dataSource.query(`SELECT calendar FROM campaigns WHERE id = $1`, [campaignId]);
    expect(row.calendar).toEqual(moved);
    const [audit] = await h.db.dataSource.query(
      `SELECT action, actor_type, actor_name FROM campaign_events WHERE campaign_id = $1`,
      [campaignId],
    );
    expect(audit).toEqual({
      action: 'calendar_changed',
      actor_type: 'user',
      actor_name: h.admin.displayName,
    });

    // Every open nomination takes the new dates (signals are handled by the nominations' own workflow tasks).
    for (const n of nominations) {
      let task = (await n.query(stateQuery)).task;
      for (let i = 0; i < 50 && task?.dueAt !== moved.stages.district_registration.dueAt; i++) {
        await h.env.sleep(1000);
        task = (await n.query(stateQuery)).task;
      }
      expect(task).toMatchObject(moved.stages.district_registration);
    }

    // The old reminder time passes quietly; the new one fires.
    const oldReminder = Date.parse(calendar.stages.district_registration.cutoffAt) - 72 * HOUR_MS;
    await h.env.sleep(oldReminder - (await h.env.currentTimeMs()) + HOUR_MS);
    expect(stepsOf(campaignId).filter((s) => s.action === 'stage_reminder')).toEqual([]);
    await h.env.sleep(week);
    expect(stepsOf(campaignId).filter((s) => s.action === 'stage_reminder')).toEqual([
      expect.objectContaining({
        offsetHours: 72,
        occurredAt: near(Date.parse(moved.stages.district_registration.cutoffAt) - 72 * HOUR_MS),
      }),
    ]);
    await handle.terminate('test done');
  });

  it('refuses, through its validator, a change that cannot be: a closed stage moved, a cut-off in the past, a non-admin', async () => {
    const campaignId = await newCampaign();
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.startCampaign(calendar, campaignId);
    await h.env.sleep(Date.parse(calendar.stages.district_registration.cutoffAt) - t0 + HOUR_MS);
    expect((await handle.query(campaignStateQuery)).progress.district_registration).toMatchObject({
      closed: true,
    });

    const reopen = structuredClone(calendar);
    reopen.stages.district_registration.cutoffAt = iso(Date.parse(calendar.stages.district_review.dueAt));
    expect(
      await refusal(
        handle.executeUpdate(changeCalendarUpdate, { args: [{ calendar: reopen, actor: h.admin }] }),
      ),
    ).toEqual({
      type: REFUSAL.invalid,
      message: `calendar.stages.district_registration closed at ${calendar.stages.district_registration.cutoffAt}; its dates can no longer change`,
    });

    const past = structuredClone(calendar);
    past.stages.district_review.cutoffAt = iso((await h.env.currentTimeMs()) - HOUR_MS);
    past.stages.district_review.dueAt = past.stages.district_review.cutoffAt;
    expect(
      await refusal(
        handle.executeUpdate(changeCalendarUpdate, { args: [{ calendar: past, actor: h.admin }] }),
      ),
    ).toEqual({
      type: REFUSAL.invalid,
      message: 'calendar.stages.district_review.cutoffAt must be in the future for a stage still open',
    });

    expect(
      await refusal(handle.executeUpdate(changeCalendarUpdate, { args: [{ calendar, actor: h.reviewer }] })),
    ).toEqual({ type: REFUSAL.forbidden, message: 'only an admin may change the calendar' });
    // Nothing refused reached the history or the read model.
    const events = await h.db.dataSource.query(`SELECT action FROM campaign_events WHERE campaign_id = $1`, [
      campaignId,
    ]);
    expect(events.map((e: { action: string }) => e.action)).not.toContain('calendar_changed');
    await handle.terminate('test done');
  });

  it('continues as new when its history grows, carrying its progress: nothing is reminded or closed twice', async () => {
    const campaignId = await newCampaign();
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.startCampaign(calendar, campaignId, { maxHistoryEvents: 10 });
    const firstRun = (await handle.describe()).runId;
    expect(await handle.result()).toEqual({ campaignId }); // the handle follows the chain of runs
    const steps = stepsOf(campaignId);
    expect(steps.map((s) => s.seq)).toEqual(steps.map((_, i) => i + 1));
    expect(steps.map((s) => [s.action, s.stage, s.offsetHours])).toEqual([
      ...['district_registration', 'district_review', 'provincial_proposal'].flatMap((stage) => [
        ['stage_reminder', stage, 72],
        ['stage_reminder', stage, 24],
        ['stage_closed', stage, undefined],
      ]),
      ['stage_closed', 'provincial_review', undefined],
      ['stage_closed', 'recognition', undefined],
      ['round_closed', undefined, undefined],
    ]);
    const first = await h.env.client.workflow.getHandle(handle.workflowId, firstRun).fetchHistory();
    expect((await handle.describe()).runId).not.toBe(firstRun);
    // The first run ended by continuing as new, as this same workflow, into another run.
    const continued = first.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes;
    expect(continued).toMatchObject({ workflowType: { name: 'campaignWorkflow' } });
    expect(continued!.newExecutionRunId).toEqual(expect.any(String));
    expect(continued!.newExecutionRunId).not.toBe(firstRun);
  });

  it('refuses a proposal beyond the quota through the nomination validator, with the reason', async () => {
    const handle = await h.start();
    const taskId = await h.walk(handle, ['accept', 'recognize']);
    const count = {
      unitName: 'Huyện Đức Linh',
      field: 'culture_society' as const,
      proposed: 2,
      proposedInField: 1,
    };
    expect(
      await refusal(
        h.decide(handle, { taskId, decision: 'propose', quota: { quotas: { perUnit: 2 }, count } }),
      ),
    ).toEqual({
      type: REFUSAL.conflict,
      message: 'quota reached: Huyện Đức Linh has proposed 2 of its quota of 2 models',
    });
    expect(
      await refusal(
        h.decide(handle, {
          taskId,
          decision: 'propose',
          quota: { quotas: { perField: { culture_society: 1 } }, count },
        }),
      ),
    ).toEqual({
      type: REFUSAL.conflict,
      message:
        'quota reached: Huyện Đức Linh has proposed 1 of its quota of 1 models in field culture_society',
    });
    const accepted = await h.decide(handle, {
      taskId,
      decision: 'propose',
      quota: { quotas: { perUnit: 3, perField: { economic: 0 } }, count },
    });
    expect(accepted).toMatchObject({ stage: 'provincial_review' });
    const [row] = await h.db.dataSource.query(`SELECT proposed_at FROM nominations WHERE workflow_id = $1`, [
      handle.workflowId,
    ]);
    expect(row.proposed_at).toBeInstanceOf(Date);
  });
});
