import { HOUR_MS } from '../../src/domain/calendar';
import { assignUpdate, stateQuery } from '../../src/contracts/nomination.messages';
import { REFUSAL } from '../../src/contracts/failures';
import { refusal, WorkflowHarness } from '../support/workflow-harness';

/** Who holds a task, on the time-skipping server: claims, their races, reassignment and release. */
describe('task claims', () => {
  const h = new WorkflowHarness();
  beforeAll(() => h.setUp());
  afterAll(() => h.tearDown());

  it('reminds the holder of a claimed task by name, and the pool again once it is unclaimed', async () => {
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.start(calendar);
    const taskId = await h.openTaskId(handle);
    await handle.executeUpdate(assignUpdate, { args: [{ taskId, kind: 'claim', actor: h.reviewer }] });
    expect((await handle.query(stateQuery)).task).toMatchObject({
      assigneeUserId: h.reviewer.userId,
      assigneeName: h.reviewer.displayName,
    });
    const due = Date.parse(calendar.stages.district_registration.dueAt);
    await h.env.sleep(due - t0 - 71 * HOUR_MS);
    const reminder = h.steps(handle).find((s) => s.action === 'reminder')!;
    expect(reminder.notify).toEqual([
      expect.objectContaining({ userId: h.reviewer.userId, role: 'district_reviewer' }),
    ]);

    await handle.executeUpdate(assignUpdate, { args: [{ taskId, kind: 'unclaim', actor: h.reviewer }] });
    await h.env.sleep(48 * HOUR_MS);
    const second = h.steps(handle).filter((s) => s.action === 'reminder')[1];
    expect(second.notify).toEqual([
      expect.objectContaining({ role: 'district_reviewer', unitId: h.org.districtId }),
    ]);
    expect(second.notify![0].userId).toBeUndefined();
    const [row] = await h.db.dataSource.query(
      `SELECT assignee_user_id, claimed_at FROM tasks WHERE id = $1`,
      [taskId],
    );
    expect(row).toEqual({ assignee_user_id: null, claimed_at: null });
    expect(h.steps(handle).map((s) => s.action)).toEqual([
      'registered',
      'claimed',
      'reminder',
      'unclaimed',
      'reminder',
    ]);
  });

  it('refuses a claim by the wrong role or unit, a second claimant, and a reassignment outside the unit', async () => {
    const handle = await h.start();
    const taskId = await h.openTaskId(handle);
    const claim = (actor = h.reviewer) =>
      handle.executeUpdate(assignUpdate, { args: [{ taskId, kind: 'claim', actor }] });
    expect(await refusal(claim(h.submitter))).toEqual({
      type: REFUSAL.forbidden,
      message: "only a district_reviewer of the task's unit may claim it",
    });
    expect(await refusal(claim({ ...h.reviewer, unitId: h.org.provinceId }))).toMatchObject({
      type: REFUSAL.forbidden,
    });
    await claim();
    const colleague = { ...h.reviewer, userId: h.admin.userId, displayName: 'Đồng nghiệp' };
    expect(await refusal(claim(colleague))).toEqual({
      type: REFUSAL.conflict,
      message: `the task is already claimed by ${h.reviewer.displayName}`,
    });
    expect(
      await refusal(
        handle.executeUpdate(assignUpdate, {
          args: [{ taskId, kind: 'reassign', actor: h.admin, assignee: h.provincialReviewer }],
        }),
      ),
    ).toEqual({
      type: REFUSAL.invalid,
      message: "the new assignee must be a district_reviewer of the task's unit",
    });
    expect(await refusal(h.decide(handle, { taskId, decision: 'accept', actor: colleague }))).toEqual({
      type: REFUSAL.conflict,
      message: `the task is claimed by ${h.reviewer.displayName}`,
    });

    await handle.executeUpdate(assignUpdate, {
      args: [{ taskId, kind: 'release', actor: h.admin, reason: 'user deactivated' }],
    });
    expect((await handle.query(stateQuery)).task?.assigneeUserId).toBeNull();
    const released = h.steps(handle).at(-1)!;
    expect(released).toMatchObject({ action: 'released', actor: h.admin, comment: 'user deactivated' });
    // Back in the pool: any reviewer of the unit may decide it now.
    expect(await h.decide(handle, { taskId, decision: 'accept', actor: colleague })).toMatchObject({
      stage: 'district_review',
    });
  });
});
