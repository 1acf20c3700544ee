import type { WorkflowHandle } from '@temporalio/client';
import { HOUR_MS } from '../../src/domain/calendar';
import { OverdueKey } from '../../src/contracts/search-attributes';
import {
  calendarChangedSignal,
  extendDeadlineUpdate,
  stateQuery,
  withdrawUpdate,
} from '../../src/contracts/nomination.messages';
import { REFUSAL } from '../../src/contracts/failures';
import { DAY_MS, iso, near, refusal, WorkflowHarness } from '../support/workflow-harness';

/** An administrator's actions on one nomination, through its workflow, on the time-skipping server. */
describe('administrator actions on one nomination', () => {
  const h = new WorkflowHarness();
  beforeAll(() => h.setUp());
  afterAll(() => h.tearDown());

  const extend = (handle: WorkflowHandle, dueAt: number, cutoffAt: number, actor = h.admin) =>
    handle.executeUpdate(extendDeadlineUpdate, {
      args: [{ dueAt: iso(dueAt), cutoffAt: iso(cutoffAt), reason: 'Bão số 9, đơn vị xin gia hạn', actor }],
    });

  it('extends one task: old reminders never come, new ones do, and the new cut-off closes it; a calendar move leaves it alone', async () => {
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.start(calendar);
    const due = Date.parse(calendar.stages.district_registration.dueAt);
    await h.env.sleep(due - t0 - 71 * HOUR_MS);
    expect(h.systemSteps(handle)).toEqual([{ action: 'reminder', at: near(due - 72 * HOUR_MS) }]);

    const newDue = due + 7 * DAY_MS;
    const newCutoff = newDue + 2 * DAY_MS;
    const state = await extend(handle, newDue, newCutoff);
    expect(state.task).toMatchObject({ dueAt: iso(newDue), cutoffAt: iso(newCutoff), extended: true });
    expect(h.steps(handle).at(-1)).toMatchObject({
      action: 'deadline_extended',
      actor: h.admin,
      taskDeadline: { dueAt: iso(newDue), cutoffAt: iso(newCutoff) },
      notify: [expect.objectContaining({ role: 'district_reviewer', kind: 'deadline_extended' })],
    });

    // The campaign's calendar moves all nominations; this task keeps the dates it was given.
    const moved = structuredClone(calendar);
    moved.stages.district_registration = { dueAt: iso(due + DAY_MS), cutoffAt: iso(due + 3 * DAY_MS) };
    await handle.signal(calendarChangedSignal, { calendar: moved, changedBy: 'Quản trị' });

    await h.env.sleep(newCutoff - (await h.env.currentTimeMs()) + HOUR_MS);
    expect(h.systemSteps(handle)).toEqual([
      { action: 'reminder', at: near(due - 72 * HOUR_MS) },
      { action: 'reminder', at: near(newDue - 72 * HOUR_MS) },
      { action: 'reminder', at: near(newDue - 24 * HOUR_MS) },
      { action: 'overdue', at: near(newDue) },
      { action: 'escalated', at: near(newDue + 24 * HOUR_MS) },
      { action: 'closed_at_cutoff', at: near(newCutoff) },
    ]);
    expect(await handle.result()).toMatchObject({ outcome: 'expired' });
  });

  it('lifts the overdue flag when the new due date is ahead', async () => {
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.start(calendar);
    const due = Date.parse(calendar.stages.district_registration.dueAt);
    await h.env.sleep(due - t0 + HOUR_MS);
    expect((await handle.query(stateQuery)).overdue).toBe(true);
    await extend(handle, due + 2 * DAY_MS, due + 6 * DAY_MS);
    expect((await handle.query(stateQuery)).overdue).toBe(false);
    expect((await handle.describe()).typedSearchAttributes.get(OverdueKey)).toBe(false);
    const [row] = await h.db.dataSource.query(`SELECT overdue, due_at FROM tasks WHERE workflow_id = $1`, [
      handle.workflowId,
    ]);
    expect(row).toEqual({ overdue: false, due_at: new Date(due + 2 * DAY_MS) });
  });

  it('refuses an extension by a non-admin, one that moves dates earlier, and one out of order', async () => {
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.start(calendar);
    const due = Date.parse(calendar.stages.district_registration.dueAt);
    const cutoff = Date.parse(calendar.stages.district_registration.cutoffAt);
    expect(await refusal(extend(handle, due + DAY_MS, cutoff + DAY_MS, h.reviewer))).toEqual({
      type: REFUSAL.forbidden,
      message: 'only an admin may extend a deadline',
    });
    expect(await refusal(extend(handle, due - DAY_MS, cutoff))).toEqual({
      type: REFUSAL.invalid,
      message: `an extension cannot move the task's dates earlier (due ${iso(due)}, cut-off ${iso(cutoff)})`,
    });
    expect(await refusal(extend(handle, cutoff + 2 * DAY_MS, cutoff + DAY_MS))).toEqual({
      type: REFUSAL.invalid,
      message: 'cutoffAt must not be before dueAt',
    });
    expect(h.steps(handle).map((s) => s.action)).toEqual(['registered']);
  });

  it('cancels a nomination (outcome withdrawn, audited as cancelled) only for an admin', async () => {
    const handle = await h.start();
    const cancel = (actor = h.admin) =>
      handle.executeUpdate(withdrawUpdate, { args: [{ reason: 'Trùng hồ sơ', actor, cancel: true }] });
    expect(await refusal(cancel(h.submitter))).toEqual({
      type: REFUSAL.forbidden,
      message: 'only an admin may cancel a nomination',
    });
    await cancel();
    expect(await handle.result()).toMatchObject({ outcome: 'withdrawn' });
    expect(h.steps(handle).at(-1)).toMatchObject({
      action: 'cancelled',
      actor: h.admin,
      outcome: 'withdrawn',
      comment: 'Trùng hồ sơ',
      closeTask: { status: 'cancelled' },
    });
  });
});
