import type { WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { CurrentUser } from '../../src/auth/current-user';
import { CampaignsService } from '../../src/campaigns/campaigns.service';
import type { Calendar } from '../../src/domain/calendar';
import { type Field, nominationWorkflowId, STAGES } from '../../src/domain/nomination';
import { STUCK_LIMIT_MAX } from '../../src/pipeline/pipeline.dto';
import { PipelineService } from '../../src/pipeline/pipeline.service';
import { ReportsService } from '../../src/reports/reports.service';
import { changeCalendarUpdate } from '../../src/contracts/campaign.messages';
import { resubmitUpdate, stateQuery, withdrawUpdate } from '../../src/contracts/nomination.messages';
import type { nominationWorkflow } from '../../workflows/nomination.workflow';
import {
  expectedReport,
  expectedRows,
  expectedStuck,
  expectedSummary,
  expectedUnitStatus,
  type Ids,
  sortRows,
  stateAt,
  statesAt,
} from '../support/round-expect';
import {
  ESCALATION_HOURS,
  MINUTE,
  type PlanEvent,
  planRound,
  REMINDER_HOURS,
  REVISION_WINDOW,
  type RoundPlan,
  stageDates,
  taskDates,
  type When,
} from '../support/round-plan';
import { iso, WorkflowHarness } from '../support/workflow-harness';

/**
 * A whole round, planned at random from a seed (test/support/round-plan.ts), driven through the real
 * nomination and campaign workflows and activities on the time-skipping server with a real PostgreSQL;
 * at four moments every figure of the pipeline summary, the stuck list, the campaign's unit status and
 * its report, and every nomination's milestone times, are compared with what the plan alone says they
 * must be (test/support/round-expect.ts). Rerun one seed with ROUND_SEED=<seed>.
 */
const FIXED_SEEDS = [1, 20261202, 77];
/**
 * `npm test` runs the fixed seeds; `ROUND_SEED=<n>` reruns one, `ROUND_SEED=random` explores a new one
 * (printed). A fresh seed is not in every run: seed 894212986 hangs on the time-skipping test server
 * ("invalid history builder state for action"), a server defect a green CI must not depend on.
 */
const SEEDS =
  process.env.ROUND_SEED === 'random'
    ? [Date.now() % 2 ** 31]
    : process.env.ROUND_SEED
      ? [Number(process.env.ROUND_SEED)]
      : FIXED_SEEDS;

/** A timer's step is recorded by the workflow task that handles it, a moment after the timer's time. */
const TIMER_SLACK = 2000;
/** How late a planned step may start (the run's own work between sleeps takes real time). */
const MAX_LATENESS = 2 * MINUTE;

describe.each(SEEDS)('randomized round (seed %i)', (seed) => {
  const h = new WorkflowHarness();
  const plan = planRound(seed);
  beforeAll(() => h.setUp(), 60_000);
  afterAll(() => h.tearDown());

  it(`gives the figures the plan predicts: seed ${seed}`, async () => {
    const started = Date.now();
    try {
      const stats = await runRound(h, plan);
      console.log(
        `randomized round seed ${seed}: ${plan.models.length} models, ${plan.units.length} units, ` +
          `${stats.steps} steps, shift ${plan.shift / 86_400_000} days, latest step ${stats.lateness} ms late, ` +
          `${Date.now() - started} ms; outcomes ${JSON.stringify(outcomeCounts(plan))}`,
      );
    } catch (err) {
      if (err instanceof Error) err.message = `seed ${seed} (rerun with ROUND_SEED=${seed}): ${err.message}`;
      throw err;
    }
  }, 300_000);
});

function outcomeCounts(plan: RoundPlan): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of plan.models) out[m.outcome] = (out[m.outcome] ?? 0) + 1;
  return out;
}

type Item =
  | { at: number; kind: 'step'; event: PlanEvent }
  | { at: number; kind: 'change' }
  | { at: number; kind: 'checkpoint' };

async function runRound(h: WorkflowHarness, plan: RoundPlan): Promise<{ steps: number; lateness: number }> {
  const ds = h.db.dataSource;
  const campaignId = h.org.campaignId;
  const unitIds = new Map<string, string>();
  for (const u of plan.units) {
    if (u.key === 'd0') {
      unitIds.set(u.key, h.org.districtId); // the harness's district-level unit, named as the plan names it
      continue;
    }
    const parent = u.level === 'district' ? h.org.provinceId : unitIds.get(u.district)!;
    const [row] = await ds.query(
      `INSERT INTO units (name, level, parent_id) VALUES ($1, $2, $3) RETURNING id`,
      [u.name, u.level, parent],
    );
    unitIds.set(u.key, row.id);
  }
  const [province] = await ds.query(`SELECT name FROM units WHERE id = $1`, [h.org.provinceId]);

  const t0 = await h.env.currentTimeMs();
  const calendar = (shifted: boolean): Calendar => ({
    stages: Object.fromEntries(
      STAGES.map((s) => {
        const d = stageDates(s, shifted, plan.shift);
        return [s, { dueAt: iso(t0 + d.due), cutoffAt: iso(t0 + d.cutoff) }];
      }),
    ) as Calendar['stages'],
    reminderOffsetsHours: [REMINDER_HOURS],
    revisionWindowHours: REVISION_WINDOW / 3_600_000,
    escalationCadenceHours: ESCALATION_HOURS,
  });
  const campaign = await h.startCampaign(calendar(false));

  const windows = new Map<string, [number, number]>();
  const handles = new Map<number, WorkflowHandle<typeof nominationWorkflow>>();
  const nominationIds = new Map<number, string>();
  const within = (lo: number, hi: number) => ({
    $$typeof: Symbol.for('jest.asymmetricMatcher'),
    asymmetricMatch: (a: unknown) => {
      const ms = a instanceof Date ? a.getTime() : typeof a === 'string' ? Date.parse(a) : NaN;
      return ms >= lo && ms <= hi;
    },
    toAsymmetricMatcher: () => `within(${iso(lo)} … ${iso(hi)})`,
  });
  const ids: Ids = {
    campaignId,
    provinceId: h.org.provinceId,
    provinceName: province.name,
    unit: (key) => unitIds.get(key)!,
    nomination: (model) => nominationIds.get(model)!,
    time: (x: string | When) => {
      if (typeof x === 'string') return within(...windows.get(x)!);
      if (x.from) {
        const [lo, hi] = windows.get(x.from.event)!;
        return within(lo + x.from.plus, hi + x.from.plus + TIMER_SLACK);
      }
      return within(t0 + x.at, t0 + x.at + TIMER_SLACK);
    },
    any: expect.anything(),
  };

  const admin: CurrentUser = {
    id: h.admin.userId,
    username: 'admin',
    displayName: h.admin.displayName,
    role: 'admin',
    unitId: h.org.provinceId,
  };
  const pipeline = new PipelineService(ds);
  const reports = new ReportsService(ds);
  // The unit status reads only the database; the Temporal client and config serve other routes.
  const campaigns = new CampaignsService(ds, undefined as never, undefined as never);

  let lateness = 0;
  const perform = async (e: PlanEvent) => {
    const model = plan.models[e.model];
    const lo = await h.env.currentTimeMs();
    lateness = Math.max(lateness, lo - (t0 + e.at));
    if (e.act === 'register') {
      // As the API registers: under the campaign's calendar as it stands now.
      const [row] = await ds.query(`SELECT calendar FROM campaigns WHERE id = $1`, [campaignId]);
      const nominationId = randomUUID();
      const handle = await h.env.client.workflow.start<typeof nominationWorkflow>('nominationWorkflow', {
        workflowId: nominationWorkflowId(nominationId),
        taskQueue: h.taskQueue,
        args: [
          {
            nominationId,
            campaignId,
            unitId: unitIds.get(model.unit)!,
            districtUnitId: unitIds.get(model.district)!,
            provinceUnitId: h.org.provinceId,
            calendar: row.calendar,
            title: model.title,
            description: 'Giữ sạch bờ biển',
            field: model.field,
            kind: model.kind,
            nomineeName: model.nomineeName,
            submittedBy: h.submitter,
          },
        ],
      });
      await handle.query(stateQuery);
      handles.set(e.model, handle);
      nominationIds.set(e.model, nominationId);
    } else {
      const handle = handles.get(e.model)!;
      if (e.act === 'decide') {
        const taskId = await h.openTaskId(handle);
        const result = await h.decide(handle, {
          taskId,
          decision: e.decision!,
          score: e.stage === 'provincial_review' ? 50 + (e.model % 50) : undefined,
          comment: e.decision === 'request_revision' ? 'Bổ sung minh chứng về hiệu quả' : undefined,
        });
        expect({ model: e.model, event: e.id, stage: result.stage, outcome: result.outcome }).toEqual({
          model: e.model,
          event: e.id,
          stage: e.stageAfter,
          outcome: e.outcome,
        });
      } else if (e.act === 'resubmit') {
        await handle.executeUpdate(resubmitUpdate, {
          args: [{ actor: h.admin, changes: {}, comment: 'Đã bổ sung minh chứng' }],
        });
      } else {
        await handle.executeUpdate(withdrawUpdate, {
          args: [{ actor: h.admin, reason: 'Đơn vị rút hồ sơ' }],
        });
      }
    }
    windows.set(e.id, [lo, await h.env.currentTimeMs()]);
  };

  /** Waits until every registered nomination's workflow shows the stage and task dates the plan has at `t`. */
  const settle = async (t: number) => {
    for (const s of statesAt(plan, t)) {
      const handle = handles.get(s.model.index)!;
      const dates = s.task ? taskDates(plan, s.task, t) : null;
      const expected = {
        model: s.model.index,
        stage: s.stage,
        outcome: s.outcome,
        task: dates
          ? { kind: s.task!.kind, dueAt: ids.time(dates.due), cutoffAt: ids.time(dates.cutoff) }
          : null,
      };
      await eventually(async () => {
        const state = await handle.query(stateQuery);
        expect({
          model: s.model.index,
          stage: state.stage,
          outcome: state.outcome,
          task: state.task
            ? { kind: state.task.kind, dueAt: state.task.dueAt, cutoffAt: state.task.cutoffAt }
            : null,
        }).toEqual(expected);
      });
    }
  };

  const checkFigures = async (t: number) => {
    const label = `at day ${((t / 86_400_000) | 0) + 1}`;
    const rows = await ds.query(
      `SELECT id, stage, outcome, overdue, revisions, created_at, stage_entered_at, closed_at, accepted_at,
              district_recognized_at, proposed_at, recommended_at, recognized_at
         FROM nominations WHERE campaign_id = $1 ORDER BY id`,
      [campaignId],
    );
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect({ label, rows }).toEqual({ label, rows: expectedRows(plan, t, ids).sort(byId) });

    const summary = await pipeline.summary(admin, { campaignId });
    expect({ label, summary: { ...summary, rows: sortRows(summary.rows) } }).toEqual({
      label,
      summary: expectedSummary(plan, t, ids),
    });
    // Filtered: each district-level unit's subtree, one grassroots unit, one field within one unit.
    const grassroots = plan.units.find((u) => u.level === 'grassroots');
    const filters: { unit?: string; field?: Field }[] = [
      ...plan.units.filter((u) => u.level === 'district').map((u) => ({ unit: u.key })),
      { field: 'political_system' },
    ];
    if (grassroots) filters.push({ unit: grassroots.key }, { unit: grassroots.district, field: 'economic' });
    for (const only of filters) {
      const part = await pipeline.summary(admin, {
        campaignId,
        unitId: only.unit && ids.unit(only.unit),
        field: only.field,
      });
      expect({ label, only, summary: { ...part, rows: sortRows(part.rows) } }).toEqual({
        label,
        only,
        summary: expectedSummary(plan, t, ids, only),
      });
    }
    for (const s of summary.stages) {
      if (s.oldestWaiting)
        expect(s.oldestWaiting.waitingHours).toBe(hours(s.oldestWaiting.stageEnteredAt, summary.asOf));
    }

    const stuck = await pipeline.stuck(admin, { campaignId, limit: STUCK_LIMIT_MAX });
    expect({ label, stuck }).toEqual({ label, stuck: expectedStuck(plan, t, ids) });
    for (const item of stuck.items) expect(item.waitingHours).toBe(hours(item.stageEnteredAt, stuck.asOf));

    const status = await campaigns.unitStatus(admin, campaignId);
    const sortedStatus = {
      stages: status.stages.map((s) => ({
        ...s,
        missing: [...s.missing].sort((a, b) => a.id.localeCompare(b.id)),
      })),
      units: [...status.units].sort((a, b) => a.unitId.localeCompare(b.unitId)),
    };
    expect({ label, status: sortedStatus }).toEqual({ label, status: expectedUnitStatus(plan, t, ids) });

    const report = await reports.report(admin, campaignId);
    expect({ label, report }).toEqual({ label, report: expectedReport(plan, t, ids) });
  };

  const items: Item[] = [
    ...plan.models.flatMap((m) =>
      m.events
        .filter((e) => e.act !== 'cutoff')
        .map((event): Item => ({ at: event.at, kind: 'step', event })),
    ),
    { at: plan.changeAt, kind: 'change' } as Item,
    ...plan.checkpoints.map((at): Item => ({ at, kind: 'checkpoint' })),
  ].sort((a, b) => a.at - b.at);

  let steps = 0;
  for (const item of items) {
    const now = await h.env.currentTimeMs();
    if (t0 + item.at > now) await h.env.sleep(t0 + item.at - now);
    if (item.kind === 'step') {
      await perform(item.event);
      steps++;
    } else if (item.kind === 'change') {
      lateness = Math.max(lateness, (await h.env.currentTimeMs()) - (t0 + item.at));
      const open = plan.models.filter((m) => {
        const s = stateAt(plan, m, plan.changeAt);
        return s && s.stage !== 'closed';
      });
      const state = await campaign.executeUpdate(changeCalendarUpdate, {
        args: [{ calendar: calendar(true), actor: h.admin }],
      });
      expect(state.lastFanOut).toEqual({ signalled: open.length, closedMeanwhile: 0 });
      await settle(plan.changeAt + MINUTE);
    } else {
      await settle(item.at);
      await checkFigures(item.at);
    }
  }
  expect(lateness).toBeLessThan(MAX_LATENESS);
  return { steps, lateness };
}

function hours(from: Date, to: Date): number {
  return Math.round((new Date(to).getTime() - new Date(from).getTime()) / 360_000) / 10;
}

/** Retries an expectation until it holds; the time is only an upper bound. */
async function eventually(check: () => Promise<void>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
