import { WorkflowNotFoundError } from '@temporalio/client';
import { HOUR_MS } from '../../src/domain/calendar';
import { STAGES, type Stage } from '../../src/domain/nomination';
import { noticeText } from '../../src/domain/notices';
import { OverdueKey } from '../../src/contracts/search-attributes';
import {
  calendarChangedSignal,
  extendDeadlineUpdate,
  resubmitUpdate,
  stateQuery,
  withdrawUpdate,
} from '../../src/contracts/nomination.messages';
import { REFUSAL } from '../../src/contracts/failures';
import { DAY_MS, iso, near, refusal, WorkflowHarness } from '../support/workflow-harness';

/** Decisions that bring a new nomination to each stage. */
const PATH_TO: Record<Stage, string[]> = {
  district_registration: [],
  district_review: ['accept'],
  provincial_proposal: ['accept', 'recognize'],
  provincial_review: ['accept', 'recognize', 'propose'],
  recognition: ['accept', 'recognize', 'propose', 'recommend'],
};

/**
 * What happens when nobody acts in time, and the other ways out of a stage (revision, withdrawal),
 * on the time-skipping server: a 30-day deadline passes in milliseconds.
 */
describe('nomination deadlines, revisions and withdrawal', () => {
  const h = new WorkflowHarness();
  beforeAll(() => h.setUp());
  afterAll(() => h.tearDown());

  it('reminds 72 and 24 hours before the due date, escalates at it and every 24 hours after, and closes at the cut-off', async () => {
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.start(calendar);
    const due = Date.parse(calendar.stages.district_registration.dueAt);
    const cutoff = Date.parse(calendar.stages.district_registration.cutoffAt);

    await h.env.sleep(due - t0 - 73 * HOUR_MS);
    expect(h.systemSteps(handle)).toEqual([]);
    await h.env.sleep(2 * HOUR_MS);
    expect(h.systemSteps(handle)).toEqual([{ action: 'reminder', at: near(due - 72 * HOUR_MS) }]);

    await h.env.sleep(5 * DAY_MS); // to an hour past the second escalation
    expect(h.systemSteps(handle)).toEqual([
      { action: 'reminder', at: near(due - 72 * HOUR_MS) },
      { action: 'reminder', at: near(due - 24 * HOUR_MS) },
      { action: 'overdue', at: near(due) },
      { action: 'escalated', at: near(due + 24 * HOUR_MS) },
      { action: 'escalated', at: near(due + 48 * HOUR_MS) },
    ]);
    const state = await handle.query(stateQuery);
    expect(state).toMatchObject({ stage: 'district_registration', overdue: true });
    expect((await handle.describe()).typedSearchAttributes.get(OverdueKey)).toBe(true);

    // Read model: the task is overdue, the district reviewers were reminded, the district's admins escalated to.
    const [task] = await h.db.dataSource.query('SELECT overdue, status FROM tasks WHERE id = $1', [
      state.task!.id,
    ]);
    expect(task).toEqual({ overdue: true, status: 'open' });
    const notices = await h.db.dataSource.query(
      `SELECT recipient_role, kind, count(*)::int AS n FROM notifications WHERE workflow_id = $1
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [handle.workflowId],
    );
    expect(notices).toEqual([
      { recipient_role: 'admin', kind: 'escalated', n: 3 },
      { recipient_role: 'district_reviewer', kind: 'escalated', n: 3 },
      { recipient_role: 'district_reviewer', kind: 'reminder', n: 2 },
    ]);

    await h.env.sleep(cutoff - (await h.env.currentTimeMs()) + 1000);
    expect(await handle.result()).toMatchObject({ outcome: 'expired' });
    const last = h.steps(handle).at(-1)!;
    expect(last).toMatchObject({
      action: 'closed_at_cutoff',
      actor: null,
      outcome: 'expired',
      occurredAt: near(cutoff),
    });
    // Escalations stopped at the cut-off: 24h cadence over 5 days gives four after the first one.
    expect(h.systemSteps(handle).filter((s) => s.action === 'escalated')).toHaveLength(4);
    const [row] = await h.db.dataSource.query('SELECT status FROM tasks WHERE id = $1', [state.task!.id]);
    expect(row.status).toBe('cancelled');
    const [audit] = await h.db.dataSource.query(
      `SELECT actor_type, actor_name FROM audit_events WHERE workflow_id = $1 AND action = 'closed_at_cutoff'`,
      [handle.workflowId],
    );
    expect(audit).toEqual({ actor_type: 'system', actor_name: 'system' });
    // The workflow's reminders, escalations and closing notice all read back into their templates.
    const templates = await h.db.dataSource.query(
      `SELECT DISTINCT kind, template, message FROM notifications WHERE workflow_id = $1 ORDER BY kind`,
      [handle.workflowId],
    );
    expect(templates).toEqual([
      { kind: 'closed_at_cutoff', template: 'closed_at_cutoff', message: null },
      { kind: 'escalated', template: 'task_overdue', message: null },
      { kind: 'reminder', template: 'task_reminder', message: null },
    ]);
  });

  it.each(
    STAGES.map((stage) => [stage, stage === 'provincial_proposal' ? 'recognized_district' : 'expired']),
  )('closes at the hard cut-off of %s as %s, never by approving', async (stage, outcome) => {
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.start(calendar);
    await h.walk(handle, PATH_TO[stage as Stage]);
    const cutoff = Date.parse(calendar.stages[stage as Stage].cutoffAt);
    await h.env.sleep(cutoff - (await h.env.currentTimeMs()) + 1000);
    expect(await handle.result()).toMatchObject({ outcome });
    const decided = h.steps(handle).filter((s) => s.action === 'decided');
    expect(decided).toHaveLength(PATH_TO[stage as Stage].length);
  });

  it('skips reminders whose time passed before the task opened', async () => {
    const t0 = await h.env.currentTimeMs();
    // Review is due 10 days after registration is; accepting 9 days in leaves 11 days: both reminders come.
    // Accepting 2 days before the review's due date leaves only the 24-hour reminder.
    const calendar = h.calendar(t0);
    const reviewDue = Date.parse(calendar.stages.district_review.dueAt);
    calendar.stages.district_registration.cutoffAt = iso(reviewDue); // registration stays open until then
    const handle = await h.start(calendar);
    await h.env.sleep(reviewDue - t0 - 48 * HOUR_MS);
    await h.walk(handle, ['accept']);
    const acceptedAt = await h.env.currentTimeMs();
    await h.env.sleep(reviewDue - acceptedAt + HOUR_MS);
    const reviewSteps = h
      .steps(handle)
      .filter((s) => s.stageAfter === 'district_review' && s.actor === null)
      .map((s) => [s.action, s.occurredAt]);
    expect(reviewSteps).toEqual([
      ['reminder', near(reviewDue - 24 * HOUR_MS)],
      ['overdue', near(reviewDue)],
    ]);
  });

  describe('calendar changes reach the open task', () => {
    it('before any reminder: reminders follow the new due date', async () => {
      const t0 = await h.env.currentTimeMs();
      const calendar = h.calendar(t0);
      const handle = await h.start(calendar);
      const oldDue = Date.parse(calendar.stages.district_registration.dueAt);
      const newDue = oldDue + 5 * DAY_MS;
      const moved = structuredClone(calendar);
      moved.stages.district_registration = { dueAt: iso(newDue), cutoffAt: iso(newDue + 5 * DAY_MS) };
      await h.env.sleep(DAY_MS);
      await handle.signal(calendarChangedSignal, { calendar: moved, changedBy: 'Quản trị' });
      await h.env.sleep(newDue - (await h.env.currentTimeMs()) + HOUR_MS);
      expect(h.systemSteps(handle)).toEqual([
        { action: 'deadline_changed', at: near(t0 + DAY_MS) },
        { action: 'reminder', at: near(newDue - 72 * HOUR_MS) },
        { action: 'reminder', at: near(newDue - 24 * HOUR_MS) },
        { action: 'overdue', at: near(newDue) },
      ]);
      const change = h.steps(handle).find((s) => s.action === 'deadline_changed')!;
      expect(change.comment).toContain('calendar changed by Quản trị');
      const [task] = await h.db.dataSource.query('SELECT due_at FROM tasks WHERE id = $1', [change.taskId]);
      expect(task.due_at.toISOString()).toBe(iso(newDue));
    });

    it('after the 72-hour reminder and the due date: overdue is lifted and reminders start again', async () => {
      const t0 = await h.env.currentTimeMs();
      const calendar = h.calendar(t0);
      const handle = await h.start(calendar);
      const oldDue = Date.parse(calendar.stages.district_registration.dueAt);
      await h.env.sleep(oldDue - t0 + HOUR_MS);
      expect((await handle.query(stateQuery)).overdue).toBe(true);

      const newDue = oldDue + 4 * DAY_MS;
      const moved = structuredClone(calendar);
      moved.stages.district_registration = { dueAt: iso(newDue), cutoffAt: iso(newDue + 5 * DAY_MS) };
      await handle.signal(calendarChangedSignal, { calendar: moved, changedBy: 'Quản trị' });
      await h.env.sleep(HOUR_MS);
      expect((await handle.query(stateQuery)).overdue).toBe(false);
      expect((await handle.describe()).typedSearchAttributes.get(OverdueKey)).toBe(false);
      await h.env.sleep(newDue - (await h.env.currentTimeMs()) + HOUR_MS);
      expect(h.systemSteps(handle).map((s) => s.action)).toEqual([
        'reminder',
        'reminder',
        'overdue',
        'deadline_changed',
        'reminder',
        'reminder',
        'overdue',
      ]);
      expect(h.systemSteps(handle).slice(4)).toEqual([
        { action: 'reminder', at: near(newDue - 72 * HOUR_MS) },
        { action: 'reminder', at: near(newDue - 24 * HOUR_MS) },
        { action: 'overdue', at: near(newDue) },
      ]);
    });
  });

  describe('the deadline floor: nothing already past is sent late but one "overdue"', () => {
    const extend = (handle: Awaited<ReturnType<typeof h.start>>, dueAt: number, cutoffAt: number) =>
      handle.executeUpdate(extendDeadlineUpdate, {
        args: [{ dueAt: iso(dueAt), cutoffAt: iso(cutoffAt), reason: 'Bão số 9', actor: h.admin }],
      });
    /** The automatic steps from `from` on: action and time. */
    const stepsFrom = (handle: Awaited<ReturnType<typeof h.start>>, from: number) =>
      h.systemSteps(handle).filter((s) => Date.parse(s.at) >= from - 1000);

    it('a task opened 10 days after its due date is overdue once, then escalated every 24 hours from its opening', async () => {
      const t0 = await h.env.currentTimeMs();
      const calendar = h.calendar(t0);
      const reviewDue = Date.parse(calendar.stages.district_review.dueAt);
      // Registration was held open past the review's dates; the review closes 15 days after its due date.
      calendar.stages.district_registration.cutoffAt = iso(reviewDue + 12 * DAY_MS);
      calendar.stages.district_review.cutoffAt = iso(reviewDue + 15 * DAY_MS);
      const handle = await h.start(calendar);
      await h.env.sleep(reviewDue + 10 * DAY_MS - t0);
      await h.walk(handle, ['accept']);
      const openedAt = await h.env.currentTimeMs();
      await h.env.sleep(2 * DAY_MS + HOUR_MS);
      const review = h
        .steps(handle)
        .filter((s) => s.stageAfter === 'district_review' && s.actor === null)
        .map((s) => ({ action: s.action, at: s.occurredAt }));
      expect(review).toEqual([
        { action: 'overdue', at: near(openedAt) },
        { action: 'escalated', at: near(openedAt + 24 * HOUR_MS) },
        { action: 'escalated', at: near(openedAt + 48 * HOUR_MS) },
      ]);
      // Overdue and two escalations, each to the reviewers and the admins: not the twelve of a burst.
      const accepted = h.steps(handle).find((s) => s.action === 'decided')!.seq;
      const notices = await h.db.dataSource.query(
        `SELECT recipient_role, count(*)::int AS n FROM notifications
          WHERE workflow_id = $1 AND kind = 'escalated' AND seq > $2 GROUP BY 1 ORDER BY 1`,
        [handle.workflowId, accepted],
      );
      expect(notices).toEqual([
        { recipient_role: 'admin', n: 3 },
        { recipient_role: 'district_reviewer', n: 3 },
      ]);
    });

    it('an extension to a due date already past is overdue once, then escalated every 24 hours from the extension', async () => {
      const t0 = await h.env.currentTimeMs();
      const calendar = h.calendar(t0);
      const due = Date.parse(calendar.stages.district_registration.dueAt);
      calendar.stages.district_registration.cutoffAt = iso(due + 20 * DAY_MS);
      const handle = await h.start(calendar);
      await h.env.sleep(due + 10 * DAY_MS + HOUR_MS - t0);
      await extend(handle, due + 2 * DAY_MS, due + 20 * DAY_MS);
      const extendedAt = await h.env.currentTimeMs();
      await h.env.sleep(2 * DAY_MS + HOUR_MS);
      expect(stepsFrom(handle, extendedAt)).toEqual([
        { action: 'overdue', at: near(extendedAt) },
        { action: 'escalated', at: near(extendedAt + 24 * HOUR_MS) },
        { action: 'escalated', at: near(extendedAt + 48 * HOUR_MS) },
      ]);
    });

    it('an extension leaving 30 hours gets the 24-hour reminder, not a late 72-hour one', async () => {
      const t0 = await h.env.currentTimeMs();
      const calendar = h.calendar(t0);
      const due = Date.parse(calendar.stages.district_registration.dueAt);
      const handle = await h.start(calendar);
      await h.env.sleep(due - 10 * HOUR_MS - t0); // both reminders of the old due date were sent
      const extendedAt = await h.env.currentTimeMs();
      await extend(handle, extendedAt + 30 * HOUR_MS, extendedAt + 6 * DAY_MS);
      await h.env.sleep(30 * HOUR_MS + HOUR_MS);
      expect(stepsFrom(handle, extendedAt)).toEqual([
        { action: 'reminder', at: near(extendedAt + 6 * HOUR_MS) },
        { action: 'overdue', at: near(extendedAt + 30 * HOUR_MS) },
      ]);
    });

    it('a calendar move leaving 30 hours gets the 24-hour reminder, not a late 72-hour one', async () => {
      const t0 = await h.env.currentTimeMs();
      const calendar = h.calendar(t0);
      const handle = await h.start(calendar);
      // Late enough that the new date's 72-hour mark is after the start: the old rule sent it late.
      await h.env.sleep(3 * DAY_MS);
      const movedAt = await h.env.currentTimeMs();
      const moved = structuredClone(calendar);
      moved.stages.district_registration = {
        dueAt: iso(movedAt + 30 * HOUR_MS),
        cutoffAt: iso(movedAt + 6 * DAY_MS),
      };
      await handle.signal(calendarChangedSignal, { calendar: moved, changedBy: 'Quản trị' });
      await h.env.sleep(30 * HOUR_MS + HOUR_MS);
      expect(h.systemSteps(handle)).toEqual([
        { action: 'deadline_changed', at: near(movedAt) },
        { action: 'reminder', at: near(movedAt + 6 * HOUR_MS) },
        { action: 'overdue', at: near(movedAt + 30 * HOUR_MS) },
      ]);
    });
  });

  describe('revision loop', () => {
    it('hands the nomination back to its submitter and returns it to the same stage with a fresh task', async () => {
      const handle = await h.start();
      const taskId = await h.walk(handle, ['accept']);
      expect(
        await refusal(h.decide(handle, { taskId, decision: 'request_revision', actor: h.reviewer })),
      ).toEqual({ type: REFUSAL.invalid, message: 'comment is required when requesting a revision' });
      const asked = await h.decide(handle, {
        taskId,
        decision: 'request_revision',
        comment: 'Bổ sung số liệu năm 2025',
        actor: h.reviewer,
      });
      expect(asked.stage).toBe('district_review');
      const revising = (await handle.query(stateQuery)).task!;
      expect(revising).toMatchObject({ kind: 'revision', assigneeRole: 'submitter', allowedDecisions: [] });
      expect(await refusal(h.decide(handle, { taskId: revising.id, decision: 'recognize' }))).toMatchObject({
        type: REFUSAL.conflict,
        message: 'the nomination is waiting for its submitter to revise it',
      });
      expect(
        await refusal(handle.executeUpdate(resubmitUpdate, { args: [{ changes: {}, actor: h.reviewer }] })),
      ).toMatchObject({ type: REFUSAL.forbidden });

      const after = await handle.executeUpdate(resubmitUpdate, {
        args: [
          { changes: { description: 'Giữ sạch 12 km bờ biển, 2025: 340 hộ tham gia' }, actor: h.submitter },
        ],
      });
      expect(after).toMatchObject({ stage: 'district_review', revisions: 1, task: { kind: 'review' } });
      const [row] = await h.db.dataSource.query(
        'SELECT description, revisions FROM nominations WHERE id = $1',
        [after.nominationId],
      );
      expect(row).toEqual({ description: 'Giữ sạch 12 km bờ biển, 2025: 340 hộ tham gia', revisions: 1 });
      const [notice] = await h.db.dataSource.query(
        `SELECT recipient_role, template, params, message FROM notifications
          WHERE workflow_id = $1 AND recipient_role = 'submitter'`,
        [handle.workflowId],
      );
      // Stored as its template and parameters, rendered when read.
      expect(notice).toMatchObject({ template: 'revision_requested', message: null });
      expect(noticeText(notice, 'vi')).toContain('Bổ sung số liệu năm 2025');
      expect(noticeText(notice, 'en')).toMatch(
        /^A revision of ".*" was requested: Bổ sung số liệu năm 2025$/,
      );

      // The fresh task decides as any other.
      expect((await h.decide(handle, { taskId: after.task!.id, decision: 'recognize' })).stage).toBe(
        'provincial_proposal',
      );
      expect(
        h
          .steps(handle)
          .map((s) => s.action)
          .slice(0, 5),
      ).toEqual(['registered', 'decided', 'decided', 'resubmitted', 'decided']);
    });

    it('refuses a revision request beyond the limit', async () => {
      const handle = await h.start(h.calendar(await h.env.currentTimeMs(), { maxRevisions: 1 }));
      const taskId = await h.openTaskId(handle);
      await h.decide(handle, { taskId, decision: 'request_revision', comment: 'Thiếu minh chứng' });
      const after = await handle.executeUpdate(resubmitUpdate, {
        args: [{ changes: {}, actor: h.submitter }],
      });
      expect(
        await refusal(
          h.decide(handle, { taskId: after.task!.id, decision: 'request_revision', comment: 'Lần nữa' }),
        ),
      ).toEqual({ type: REFUSAL.invalid, message: 'the revision limit (1) has been reached' });
    });

    it('expires when the submitter does not resubmit within the revision window', async () => {
      const handle = await h.start();
      const taskId = await h.openTaskId(handle);
      await h.decide(handle, { taskId, decision: 'request_revision', comment: 'Thiếu minh chứng' });
      const askedAt = await h.env.currentTimeMs();
      await h.env.sleep(168 * HOUR_MS + HOUR_MS);
      expect(await handle.result()).toMatchObject({ outcome: 'expired' });
      expect(h.systemSteps(handle)).toEqual([
        { action: 'reminder', at: near(askedAt + (168 - 72) * HOUR_MS) },
        { action: 'reminder', at: near(askedAt + (168 - 24) * HOUR_MS) },
        { action: 'closed_at_cutoff', at: near(askedAt + 168 * HOUR_MS) },
      ]);
    });
  });

  describe('withdrawal', () => {
    it.each(STAGES)('closes the nomination as withdrawn at %s, with its reason', async (stage) => {
      const handle = await h.start();
      const taskId = await h.walk(handle, PATH_TO[stage]);
      expect(
        await refusal(
          handle.executeUpdate(withdrawUpdate, { args: [{ reason: 'Trùng lặp', actor: h.reviewer }] }),
        ),
      ).toMatchObject({ type: REFUSAL.forbidden });
      expect(
        await refusal(handle.executeUpdate(withdrawUpdate, { args: [{ reason: ' ', actor: h.submitter }] })),
      ).toEqual({ type: REFUSAL.invalid, message: 'reason is required to withdraw' });

      const state = await handle.executeUpdate(withdrawUpdate, {
        args: [{ reason: 'Đơn vị rút hồ sơ', actor: h.submitter }],
      });
      expect(state).toMatchObject({ stage: 'closed', outcome: 'withdrawn', task: null });
      expect(await handle.result()).toMatchObject({ outcome: 'withdrawn' });
      expect(h.steps(handle).at(-1)).toMatchObject({
        action: 'withdrawn',
        actor: { userId: h.submitter.userId },
        comment: 'Đơn vị rút hồ sơ',
        stageBefore: stage,
      });
      const [task] = await h.db.dataSource.query('SELECT status FROM tasks WHERE id = $1', [taskId]);
      expect(task.status).toBe('cancelled');
    });

    it('is refused once the nomination is closed', async () => {
      const handle = await h.start();
      await h.walk(handle, ['reject']);
      await handle.result();
      const late = handle.executeUpdate(withdrawUpdate, { args: [{ reason: 'Muộn', actor: h.submitter }] });
      await expect(late).rejects.toThrow(WorkflowNotFoundError);
    });
  });
});
