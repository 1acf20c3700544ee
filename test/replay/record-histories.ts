import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { campaignWorkflowId } from '../../src/domain/campaign';
import { HOUR_MS } from '../../src/domain/calendar';
import { STAGES } from '../../src/domain/nomination';
import { changeCalendarUpdate } from '../../src/contracts/campaign.messages';
import {
  assignUpdate,
  calendarChangedSignal,
  extendDeadlineUpdate,
  resubmitUpdate,
  withdrawUpdate,
} from '../../src/contracts/nomination.messages';
import { DAY_MS, iso, WorkflowHarness } from '../support/workflow-harness';
import { addHistory, HISTORIES_DIR, VERSION_FOLDER } from './manifest';

/**
 * Records histories of this workflow version as replay fixtures (`npm run record:histories`) into
 * test/fixtures/histories/<HISTORY_VERSION>/ and adds them to the manifest. Run it when a workflow change
 * is released — never to make a failing replay pass: a replay that fails means the change would break
 * nominations already in flight (see docs/changing-workflows.md). A scenario whose history the
 * version already has is not run again: released histories are append-only.
 */
const VERSION = process.env.HISTORY_VERSION ?? '';
if (!VERSION_FOLDER.test(VERSION)) {
  throw new Error('HISTORY_VERSION must name the released version, e.g. HISTORY_VERSION=v3');
}

describe('record workflow histories', () => {
  const h = new WorkflowHarness();
  beforeAll(() => h.setUp());
  afterAll(() => h.tearDown());

  /** The histories of a workflow's runs, first to last: one, or a chain continued as new. */
  async function runsOf(handle: WorkflowHandle) {
    const runs = [];
    let runId: string | undefined; // the latest run, then each run's predecessor
    do {
      const history = await h.env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      runs.unshift(history);
      runId =
        history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    } while (runId);
    return runs;
  }

  const fileOf = (name: string, run: number, runs: number) =>
    `${VERSION}/${name}${runs > 1 ? `.run-${run}` : ''}.json`;
  const recorded = (name: string) =>
    [fileOf(name, 1, 1), fileOf(name, 1, 2)].some((f) => fs.existsSync(path.join(HISTORIES_DIR, f)));

  /** One scenario: its workflow's runs are saved as `<name>.json`, or `<name>.run-<n>.json` each. */
  function record(name: string, title: string, scenario: () => Promise<WorkflowHandle>) {
    (recorded(name) ? it.skip : it)(`${title} (${name})`, async () => {
      const runs = await runsOf(await scenario());
      runs.forEach((history, i) =>
        addHistory(
          fileOf(name, i + 1, runs.length),
          JSON.stringify(JSON.parse(historyToJSON(history)), null, 1) + '\n',
        ),
      );
    });
  }

  /** A campaign of its own (one workflow per campaign), in the harness's province. */
  let year = 3000;
  async function newCampaign(): Promise<string> {
    const id = randomUUID();
    await h.db.dataSource.query(
      `INSERT INTO campaigns (id, name, year, province_unit_id, calendar, registration_opens_at, workflow_id)
       VALUES ($1, 'Dân vận khéo', $2, $3, '{}', now(), $4)`,
      [id, year++, h.org.provinceId, campaignWorkflowId(id)],
    );
    return id;
  }

  record('completed-recognized-provincial', 'completed: every stage to provincial recognition', async () => {
    const handle = await h.start();
    await h.walk(handle, ['accept', 'recognize', 'propose', 'recommend', 'recognize']);
    await handle.result();
    return handle;
  });

  record('completed-revision-withdrawn', 'completed: a revision loop, then withdrawn', async () => {
    const handle = await h.start();
    const taskId = await h.walk(handle, ['accept']);
    await h.decide(handle, { taskId, decision: 'request_revision', comment: 'Bổ sung số liệu' });
    await handle.executeUpdate(resubmitUpdate, {
      args: [{ changes: { title: 'Mô hình mới' }, actor: h.submitter }],
    });
    await handle.executeUpdate(withdrawUpdate, { args: [{ reason: 'Rút hồ sơ', actor: h.submitter }] });
    await handle.result();
    return handle;
  });

  record(
    'completed-expired-at-cutoff',
    'completed: expired at the registration cut-off after reminders and escalations',
    async () => {
      const handle = await h.start();
      await h.env.sleep(16 * DAY_MS);
      await handle.result();
      return handle;
    },
  );

  record(
    'completed-claimed-released-rejected',
    'completed: claimed, reassigned, released, then decided by the pool',
    async () => {
      const handle = await h.start();
      const taskId = await h.openTaskId(handle);
      await handle.executeUpdate(assignUpdate, { args: [{ taskId, kind: 'claim', actor: h.reviewer }] });
      await handle.executeUpdate(assignUpdate, {
        args: [{ taskId, kind: 'reassign', actor: h.admin, assignee: h.reviewer, reason: 'Giao lại' }],
      });
      await handle.executeUpdate(assignUpdate, { args: [{ taskId, kind: 'release', actor: h.admin }] });
      await h.decide(handle, { taskId, decision: 'reject', actor: h.reviewer });
      await handle.result();
      return handle;
    },
  );

  record(
    'completed-extended-cancelled',
    'completed: deadline extended by an admin, then cancelled',
    async () => {
      const t0 = await h.env.currentTimeMs();
      const calendar = h.calendar(t0);
      const handle = await h.start(calendar);
      const due = Date.parse(calendar.stages.district_registration.dueAt);
      const cutoff = Date.parse(calendar.stages.district_registration.cutoffAt);
      await h.env.sleep(due - t0 + HOUR_MS);
      await handle.executeUpdate(extendDeadlineUpdate, {
        args: [
          {
            dueAt: iso(due + 2 * DAY_MS),
            cutoffAt: iso(cutoff + 2 * DAY_MS),
            reason: 'Gia hạn',
            actor: h.admin,
          },
        ],
      });
      await handle.executeUpdate(withdrawUpdate, { args: [{ reason: 'Hủy', actor: h.admin, cancel: true }] });
      await handle.result();
      return handle;
    },
  );

  record(
    'campaign-completed',
    'campaign, completed: reminders, a calendar change fanned out, every stage closed',
    async () => {
      const t0 = await h.env.currentTimeMs();
      const calendar = h.calendar(t0);
      const handle = await h.startCampaign(calendar, h.org.campaignId);
      await h.start(calendar);
      const moved = structuredClone(calendar);
      const due = t0 + 12 * DAY_MS;
      moved.stages.district_registration = { dueAt: iso(due), cutoffAt: iso(due + 5 * DAY_MS) };
      await handle.executeUpdate(changeCalendarUpdate, { args: [{ calendar: moved, actor: h.admin }] });
      await h.env.sleep(60 * DAY_MS);
      await handle.result();
      return handle;
    },
  );

  record(
    'in-flight-refused-decision-held-reminder',
    'in flight: a decision and a reminder PostgreSQL refused, held, then recorded',
    async () => {
      const t0 = await h.env.currentTimeMs();
      const calendar = h.calendar(t0);
      const handle = await h.start(calendar);
      const taskId = await h.openTaskId(handle);
      await h
        .decide(handle, { taskId, decision: 'request_revision', comment: 'thiếu\u0000ảnh' })
        .catch(() => undefined);
      const ds = h.db.dataSource;
      await ds.query(`
      CREATE FUNCTION refuse_reminders() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action = 'reminder' THEN RAISE EXCEPTION 'refused' USING ERRCODE = '22000'; END IF;
        RETURN NEW;
      END $$`);
      await ds.query(
        `CREATE TRIGGER refuse_reminders BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_reminders()`,
      );
      const due = Date.parse(calendar.stages.district_registration.dueAt);
      await h.env.sleep(due - t0 - 72 * HOUR_MS + 10 * 60_000);
      await ds.query(`DROP TRIGGER refuse_reminders ON audit_events`);
      await h.env.sleep(HOUR_MS);
      await h.decide(handle, { taskId, decision: 'accept' });
      return handle;
    },
  );

  record(
    'in-flight-overdue-calendar-moved',
    'in flight: overdue at district review, then its calendar moved',
    async () => {
      const t0 = await h.env.currentTimeMs();
      const calendar = h.calendar(t0);
      const handle = await h.start(calendar);
      await h.walk(handle, ['accept']);
      await h.env.sleep(21 * DAY_MS);
      const moved = structuredClone(calendar);
      const due = t0 + 30 * DAY_MS;
      moved.stages.district_review = { dueAt: iso(due), cutoffAt: iso(due + 5 * DAY_MS) };
      await handle.signal(calendarChangedSignal, { calendar: moved, changedBy: 'Quản trị' });
      await h.env.sleep(HOUR_MS);
      return handle;
    },
  );

  record(
    'completed-continued-as-new',
    'completed: continued as new after claims, then decided by a later run',
    async () => {
      const handle = await h.start(undefined, {}, { maxHistoryEvents: 20 });
      const taskId = await h.openTaskId(handle);
      for (const kind of ['claim', 'unclaim', 'claim', 'unclaim'] as const) {
        await handle.executeUpdate(assignUpdate, { args: [{ taskId, kind, actor: h.reviewer }] });
      }
      await h.walk(handle, ['accept', 'not_recognize']);
      await handle.result();
      return handle;
    },
  );

  record(
    'completed-resubmitted-late-window-expired',
    'completed: resubmitted after the stage cut-off, closed at the end of its review window',
    async () => {
      const handle = await h.start();
      await h.env.sleep(14 * DAY_MS);
      const taskId = await h.openTaskId(handle);
      await h.decide(handle, { taskId, decision: 'request_revision', comment: 'Bổ sung số liệu' });
      await h.env.sleep(2 * DAY_MS);
      await handle.executeUpdate(resubmitUpdate, {
        args: [{ changes: { description: 'Đã bổ sung' }, actor: h.submitter }],
      });
      await h.env.sleep(4 * DAY_MS);
      await handle.result();
      return handle;
    },
  );

  record(
    'completed-claimed-unclaimed-rejected',
    'completed: claimed, unclaimed by its holder, then decided by the pool',
    async () => {
      const handle = await h.start();
      const taskId = await h.openTaskId(handle);
      await handle.executeUpdate(assignUpdate, { args: [{ taskId, kind: 'claim', actor: h.reviewer }] });
      await handle.executeUpdate(assignUpdate, { args: [{ taskId, kind: 'unclaim', actor: h.reviewer }] });
      await h.decide(handle, { taskId, decision: 'reject', actor: h.reviewer });
      await handle.result();
      return handle;
    },
  );

  record(
    'completed-revision-window-expired',
    'completed: a revision requested, never resubmitted, expired at the end of its window',
    async () => {
      const handle = await h.start();
      const taskId = await h.walk(handle, ['accept']);
      await h.decide(handle, { taskId, decision: 'request_revision', comment: 'Bổ sung số liệu' });
      await h.env.sleep(8 * DAY_MS); // the revision window is 168 hours
      await handle.result();
      return handle;
    },
  );

  record(
    'completed-expired-at-proposal-cutoff',
    'completed: recognized by the district, not proposed by the provincial proposal cut-off',
    async () => {
      const handle = await h.start();
      await h.walk(handle, ['accept', 'recognize']);
      await h.env.sleep(36 * DAY_MS); // provincial_proposal is cut off 35 days after the start
      await handle.result();
      return handle;
    },
  );

  record(
    'campaign-continued-as-new',
    'campaign, completed: a calendar change, then continued as new between steps until every stage closed',
    async () => {
      const t0 = await h.env.currentTimeMs();
      const calendar = h.calendar(t0);
      const campaignId = await newCampaign();
      const handle = await h.startCampaign(calendar, campaignId, { maxHistoryEvents: 40 });
      await h.start(calendar, { campaignId });
      const moved = structuredClone(calendar);
      const due = t0 + 12 * DAY_MS;
      moved.stages.district_registration = { dueAt: iso(due), cutoffAt: iso(due + 5 * DAY_MS) };
      await handle.executeUpdate(changeCalendarUpdate, { args: [{ calendar: moved, actor: h.admin }] });
      await h.env.sleep(60 * DAY_MS);
      await handle.result();
      return handle;
    },
  );

  record(
    'campaign-calendar-change-paged',
    'campaign, completed: a calendar change fanned out over three pages of open nominations',
    async () => {
      const t0 = await h.env.currentTimeMs();
      const calendar = h.calendar(t0);
      const campaignId = await newCampaign();
      const handle = await h.startCampaign(calendar, campaignId, { fanOutPageSize: 2 });
      for (let i = 0; i < 5; i++) await h.start(calendar, { campaignId });
      const moved = structuredClone(calendar);
      for (const stage of STAGES) {
        moved.stages[stage] = {
          dueAt: iso(Date.parse(calendar.stages[stage].dueAt) + 7 * DAY_MS),
          cutoffAt: iso(Date.parse(calendar.stages[stage].cutoffAt) + 7 * DAY_MS),
        };
      }
      const state = await handle.executeUpdate(changeCalendarUpdate, {
        args: [{ calendar: moved, actor: h.admin }],
      });
      expect(state.lastFanOut).toEqual({ signalled: 5, closedMeanwhile: 0 });
      await h.env.sleep(70 * DAY_MS);
      await handle.result();
      return handle;
    },
  );

  record(
    'completed-opened-late-escalated-on-cadence',
    'completed: a review opened 10 days after its due date, overdue once, escalated on the cadence, expired',
    async () => {
      const t0 = await h.env.currentTimeMs();
      const calendar = h.calendar(t0);
      const reviewDue = Date.parse(calendar.stages.district_review.dueAt);
      calendar.stages.district_registration.cutoffAt = iso(reviewDue + 12 * DAY_MS);
      calendar.stages.district_review.cutoffAt = iso(reviewDue + 13 * DAY_MS);
      const handle = await h.start(calendar);
      await h.env.sleep(reviewDue + 10 * DAY_MS - t0);
      await h.walk(handle, ['accept']);
      await h.env.sleep(4 * DAY_MS);
      await handle.result();
      return handle;
    },
  );

  record(
    'in-flight-extended-past-due-then-30-hours',
    'in flight: extended to a due date already past, escalated on the cadence, then extended to 30 hours ahead',
    async () => {
      const t0 = await h.env.currentTimeMs();
      const calendar = h.calendar(t0);
      const due = Date.parse(calendar.stages.district_registration.dueAt);
      calendar.stages.district_registration.cutoffAt = iso(due + 20 * DAY_MS);
      const handle = await h.start(calendar);
      await h.env.sleep(due + 10 * DAY_MS + HOUR_MS - t0);
      const extend = async (dueAt: number, cutoffAt: number) =>
        handle.executeUpdate(extendDeadlineUpdate, {
          args: [{ dueAt: iso(dueAt), cutoffAt: iso(cutoffAt), reason: 'Gia hạn', actor: h.admin }],
        });
      await extend(due + 2 * DAY_MS, due + 20 * DAY_MS);
      await h.env.sleep(2 * DAY_MS + HOUR_MS);
      const now = await h.env.currentTimeMs();
      await extend(now + 30 * HOUR_MS, due + 20 * DAY_MS);
      await h.env.sleep(31 * HOUR_MS);
      return handle;
    },
  );

  record(
    'campaign-moved-30-hours-left',
    'campaign, completed: registration moved to 30 hours ahead (only its 24-hour reminder), every stage closed',
    async () => {
      const t0 = await h.env.currentTimeMs();
      const calendar = h.calendar(t0);
      const campaignId = await newCampaign();
      const handle = await h.startCampaign(calendar, campaignId);
      await h.start(calendar, { campaignId });
      await h.env.sleep(3 * DAY_MS);
      const now = await h.env.currentTimeMs();
      const moved = structuredClone(calendar);
      moved.stages.district_registration = {
        dueAt: iso(now + 30 * HOUR_MS),
        cutoffAt: iso(now + 30 * HOUR_MS),
      };
      await handle.executeUpdate(changeCalendarUpdate, { args: [{ calendar: moved, actor: h.admin }] });
      await h.env.sleep(60 * DAY_MS);
      await handle.result();
      return handle;
    },
  );
});
