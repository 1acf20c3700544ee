import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { HOUR_MS } from '../../src/domain/calendar';
import { changeCalendarUpdate } from '../../workflows/campaign.messages';
import {
  assignUpdate,
  calendarChangedSignal,
  extendDeadlineUpdate,
  resubmitUpdate,
  withdrawUpdate,
} from '../../workflows/messages';
import { DAY_MS, iso, WorkflowHarness } from '../support/workflow-harness';

/**
 * Records histories of this workflow version as replay fixtures (`npm run record:histories`). Run it
 * when a workflow change is released — never to make a failing replay pass: a replay that fails means
 * the change would break nominations already in flight (see README, "Changing workflow code").
 */
const OUT = path.resolve(__dirname, '../fixtures/histories');
const VERSION = process.env.HISTORY_VERSION;
if (!VERSION) throw new Error('HISTORY_VERSION must name the released version, e.g. HISTORY_VERSION=v3');

describe('record workflow histories', () => {
  const h = new WorkflowHarness();
  beforeAll(() => h.setUp());
  afterAll(() => h.tearDown());

  async function save(name: string, handle: WorkflowHandle) {
    const history = await handle.fetchHistory();
    fs.mkdirSync(OUT, { recursive: true });
    const file = path.join(OUT, `${VERSION}-${name}.json`);
    // A released version's fixtures are what in-flight nominations look like: never rewritten.
    if (fs.existsSync(file)) throw new Error(`${file} exists: record a new version instead`);
    fs.writeFileSync(file, JSON.stringify(JSON.parse(historyToJSON(history)), null, 1) + '\n');
  }

  it('completed: every stage to provincial recognition', async () => {
    const handle = await h.start();
    await h.walk(handle, ['accept', 'recognize', 'propose', 'recommend', 'recognize']);
    await handle.result();
    await save('completed-recognized-provincial', handle);
  });

  it('completed: a revision loop, then withdrawn', async () => {
    const handle = await h.start();
    const taskId = await h.walk(handle, ['accept']);
    await h.decide(handle, { taskId, decision: 'request_revision', comment: 'Bổ sung số liệu' });
    await handle.executeUpdate(resubmitUpdate, {
      args: [{ changes: { title: 'Mô hình mới' }, actor: h.submitter }],
    });
    await handle.executeUpdate(withdrawUpdate, { args: [{ reason: 'Rút hồ sơ', actor: h.submitter }] });
    await handle.result();
    await save('completed-revision-withdrawn', handle);
  });

  it('completed: expired at the registration cut-off after reminders and escalations', async () => {
    const handle = await h.start();
    await h.env.sleep(16 * DAY_MS);
    await handle.result();
    await save('completed-expired-at-cutoff', handle);
  });

  it('completed: claimed, reassigned, released, then decided by the pool', async () => {
    const handle = await h.start();
    const taskId = await h.openTaskId(handle);
    await handle.executeUpdate(assignUpdate, { args: [{ taskId, kind: 'claim', actor: h.reviewer }] });
    await handle.executeUpdate(assignUpdate, {
      args: [{ taskId, kind: 'reassign', actor: h.admin, assignee: h.reviewer, reason: 'Giao lại' }],
    });
    await handle.executeUpdate(assignUpdate, { args: [{ taskId, kind: 'release', actor: h.admin }] });
    await h.decide(handle, { taskId, decision: 'reject', actor: h.reviewer });
    await handle.result();
    await save('completed-claimed-released-rejected', handle);
  });

  it('completed: deadline extended by an admin, then cancelled', async () => {
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
    await save('completed-extended-cancelled', handle);
  });

  it('campaign, completed: reminders, a calendar change fanned out, every stage closed', async () => {
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
    await save('campaign-completed', handle);
  });

  it('in flight: a decision and a reminder PostgreSQL refused, held, then recorded', async () => {
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
    await save('in-flight-refused-decision-held-reminder', handle);
  });

  it('in flight: overdue at district review, then its calendar moved', async () => {
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
    await save('in-flight-overdue-calendar-moved', handle);
  });

  it('completed: continued as new after claims, then decided by a later run', async () => {
    const handle = await h.start(undefined, {}, { maxHistoryEvents: 20 });
    const taskId = await h.openTaskId(handle);
    for (const kind of ['claim', 'unclaim', 'claim', 'unclaim'] as const) {
      await handle.executeUpdate(assignUpdate, { args: [{ taskId, kind, actor: h.reviewer }] });
    }
    await h.walk(handle, ['accept', 'not_recognize']);
    await handle.result();
    await save('completed-continued-as-new', handle);
  });

  it('completed: resubmitted after the stage cut-off, closed at the end of its review window', async () => {
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
    await save('completed-resubmitted-late-window-expired', handle);
  });
});
