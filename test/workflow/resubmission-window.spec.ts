import type { WorkflowHandle } from '@temporalio/client';
import { DEFAULT_RESUBMISSION_REVIEW_HOURS, HOUR_MS } from '../../src/domain/calendar';
import { calendarChangedSignal, resubmitUpdate, stateQuery } from '../../src/contracts/nomination.messages';
import { DAY_MS, iso, near, WorkflowHarness } from '../support/workflow-harness';

const WINDOW_MS = DEFAULT_RESUBMISSION_REVIEW_HOURS * HOUR_MS;

/**
 * A model resubmitted within its revision window is reviewed within a window of its own, counted from the
 * resubmission, when its stage's dates are nearer than that (or passed).
 */
describe('resubmission review window', () => {
  const h = new WorkflowHarness();
  beforeAll(() => h.setUp());
  afterAll(() => h.tearDown());

  const until = async (at: number) => h.env.sleep(at - (await h.env.currentTimeMs()));
  /** Asks for a revision at `askAt` and resubmits at `resubmitAt`; returns the resubmission's time. */
  async function revise(handle: WorkflowHandle, askAt: number, resubmitAt: number): Promise<number> {
    await until(askAt);
    const taskId = await h.openTaskId(handle);
    await h.decide(handle, { taskId, decision: 'request_revision', comment: 'Bổ sung số liệu' });
    await until(resubmitAt);
    const at = await h.env.currentTimeMs();
    await handle.executeUpdate(resubmitUpdate, {
      args: [{ changes: { description: 'Số liệu đã bổ sung' }, actor: h.submitter }],
    });
    return at;
  }
  /** Registration is due t0+10d and cut off t0+15d; a revision asked at t0+14d comes back after the cut-off. */
  async function lateResubmission() {
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.start(calendar);
    const resubmittedAt = await revise(handle, t0 + 14 * DAY_MS, t0 + 16 * DAY_MS);
    return { t0, calendar, handle, resubmittedAt };
  }

  it('gives a model resubmitted in time after its stage’s cut-off a review window from the resubmission', async () => {
    const { calendar, handle, resubmittedAt } = await lateResubmission();
    expect(Date.parse(calendar.stages.district_registration.cutoffAt)).toBeLessThan(resubmittedAt);
    const { task, stage } = await handle.query(stateQuery);
    expect(stage).toBe('district_registration');
    expect(task).toMatchObject({
      kind: 'review',
      dueAt: near(resubmittedAt + WINDOW_MS),
      cutoffAt: near(resubmittedAt + WINDOW_MS),
      reviewWindowEndsAt: task!.cutoffAt,
    });
    const [row] = await h.db.dataSource.query(`SELECT status, due_at, cutoff_at FROM tasks WHERE id = $1`, [
      task!.id,
    ]);
    expect(row).toEqual({
      status: 'open',
      due_at: new Date(task!.dueAt),
      cutoff_at: new Date(task!.cutoffAt),
    });

    expect(await h.decide(handle, { taskId: task!.id, decision: 'accept' })).toMatchObject({
      stage: 'district_review',
    });
    expect((await handle.query(stateQuery)).task).toMatchObject(calendar.stages.district_review);
    await handle.terminate('test done');
  });

  it('closes a resubmitted model nobody reviews at the end of its new window, not before', async () => {
    const { handle, resubmittedAt } = await lateResubmission();
    expect(await handle.result()).toMatchObject({ outcome: 'expired' });
    const end = resubmittedAt + WINDOW_MS;
    const steps = h.steps(handle);
    const after = steps.slice(steps.findIndex((s) => s.action === 'resubmitted') + 1);
    expect(after.map((s) => ({ action: s.action, at: s.occurredAt }))).toEqual([
      { action: 'reminder', at: near(end - 72 * HOUR_MS) },
      { action: 'reminder', at: near(end - 24 * HOUR_MS) },
      { action: 'closed_at_cutoff', at: near(end) },
    ]);
  });

  it('keeps the window when the calendar moves the stage’s dates back, and takes later dates', async () => {
    const { t0, calendar, handle, resubmittedAt } = await lateResubmission();
    const change = async (dueAt: number, cutoffAt: number) => {
      const moved = structuredClone(calendar);
      moved.stages.district_registration = { dueAt: iso(dueAt), cutoffAt: iso(cutoffAt) };
      await handle.signal(calendarChangedSignal, { calendar: moved, changedBy: 'Quản trị' });
    };
    const windowEnd = (await handle.query(stateQuery)).task!.reviewWindowEndsAt!;

    // Earlier than the window: nothing moves, and nothing is recorded (the query is answered after the signal).
    await change(t0 + 9 * DAY_MS, t0 + 14 * DAY_MS);
    expect((await handle.query(stateQuery)).task).toMatchObject({ dueAt: windowEnd, cutoffAt: windowEnd });
    // A cut-off beyond the window is taken; the due date stays at the window's end, not before it.
    const seen = h.steps(handle).filter((s) => s.action === 'deadline_changed').length;
    const cutoff = resubmittedAt + WINDOW_MS + DAY_MS;
    await change(t0 + 17 * DAY_MS, cutoff);
    const changed = await h.nextStep(handle, 'deadline_changed', seen);
    expect(changed.taskDeadline).toMatchObject({ dueAt: windowEnd, cutoffAt: iso(cutoff) });

    expect(await handle.result()).toMatchObject({ outcome: 'expired' });
    const steps = h.steps(handle);
    const after = steps.slice(steps.findIndex((s) => s.action === 'resubmitted') + 1);
    const end = Date.parse(windowEnd);
    expect(after.map((s) => ({ action: s.action, at: s.occurredAt }))).toEqual([
      { action: 'reminder', at: near(resubmittedAt) },
      { action: 'deadline_changed', at: near(resubmittedAt) },
      { action: 'reminder', at: near(end - 24 * HOUR_MS) },
      { action: 'overdue', at: near(end) },
      { action: 'closed_at_cutoff', at: near(cutoff) },
    ]);
    expect(after[1].taskDeadline).toMatchObject({ dueAt: windowEnd, cutoffAt: iso(cutoff) });
  });

  it('keeps the stage’s own dates for a model resubmitted well before them', async () => {
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.start(calendar);
    await revise(handle, t0 + HOUR_MS, t0 + DAY_MS);
    const { task } = await handle.query(stateQuery);
    expect(task).toMatchObject({ kind: 'review', ...calendar.stages.district_registration });
    expect(await h.decide(handle, { taskId: task!.id, decision: 'accept' })).toMatchObject({
      stage: 'district_review',
    });
    await handle.terminate('test done');
  });
});
