import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { HOUR_MS } from '../../src/domain/calendar';
import { OverdueKey } from '../../src/contracts/search-attributes';
import { WORKFLOWS_PATH } from '../../src/temporal/worker-options';
import { assignUpdate, stateQuery } from '../../src/contracts/nomination.messages';
import { REFUSAL } from '../../src/contracts/failures';
import { DAY_MS, near, refusal, WorkflowHarness } from '../support/workflow-harness';

/** Claim/unclaim cycles the issue asks to survive: 6,000 requests, about 30 runs of 2,000 events. */
const CYCLES = Number(process.env.BOUNDED_HISTORY_CYCLES ?? 3_000);

/** The nomination workflow continues as new before its history grows long, keeping its state. */
describe('bounded history', () => {
  const h = new WorkflowHarness();
  beforeAll(() => h.setUp());
  afterAll(() => h.tearDown());

  const runId = async (handle: WorkflowHandle) => (await handle.describe()).runId;
  const cycle = async (handle: WorkflowHandle, taskId: string) => {
    await handle.executeUpdate(assignUpdate, { args: [{ taskId, kind: 'claim', actor: h.reviewer }] });
    await handle.executeUpdate(assignUpdate, { args: [{ taskId, kind: 'unclaim', actor: h.reviewer }] });
  };
  const historyOf = (handle: WorkflowHandle, run?: string) =>
    h.env.client.workflow.getHandle(handle.workflowId, run).fetchHistory();
  /** The first run of a chain ended by handing over to the next. */
  const continuedAsNew = async (handle: WorkflowHandle, run: string) => {
    const history = await historyOf(handle, run);
    return Boolean(history.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes);
  };

  it(
    `stays alive and correct through ${CYCLES} claim/unclaim cycles: one audit event each, seq without a gap`,
    async () => {
      const handle = await h.start();
      const firstRun = await runId(handle);
      const before = await handle.query(stateQuery);
      const taskId = before.task!.id;
      const started = Date.now();
      for (let i = 0; i < CYCLES; i++) await cycle(handle, taskId);
      const seconds = (Date.now() - started) / 1000;
      console.log(`bounded history: ${CYCLES} claim/unclaim cycles in ${seconds.toFixed(1)} s`);

      expect(await handle.query(stateQuery)).toEqual({
        ...before,
        task: { ...before.task, assigneeUserId: null, assigneeName: null },
      });
      expect(await continuedAsNew(handle, firstRun)).toBe(true);
      const first = (await historyOf(handle, firstRun)).events!;
      const requests = first.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
      console.log(
        `bounded history: first run ${first.length} events for ${requests} requests (${(first.length / requests).toFixed(1)} each)`,
      );
      const { historyLength } = await handle.describe();
      expect(historyLength).toBeLessThan(2_100);
      const rows: { seq: number; action: string }[] = await h.db.dataSource.query(
        `SELECT seq, action FROM audit_events WHERE workflow_id = $1 ORDER BY seq`,
        [handle.workflowId],
      );
      expect(rows).toHaveLength(1 + 2 * CYCLES);
      expect(rows.every((r, i) => r.seq === i + 1)).toBe(true);
      expect(rows[0].action).toBe('registered');
      expect(rows.filter((r) => r.action === 'registered')).toHaveLength(1);
      const [task] = await h.db.dataSource.query(`SELECT status, assignee_user_id FROM tasks WHERE id = $1`, [
        taskId,
      ]);
      expect(task).toEqual({ status: 'open', assignee_user_id: null });

      // The run that holds it now still decides.
      expect(await h.decide(handle, { taskId, decision: 'accept' })).toMatchObject({
        stage: 'district_review',
      });
      expect((await handle.query(stateQuery)).stage).toBe('district_review');
      await handle.terminate('test done');
    },
    30 * 60_000,
  );

  it('keeps its deadline progress across runs: every reminder, escalation and the cut-off exactly once', async () => {
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.start(calendar, {}, { maxHistoryEvents: 20 });
    const firstRun = await runId(handle);
    const taskId = await h.openTaskId(handle);
    for (let i = 0; i < 3; i++) await cycle(handle, taskId);
    expect(await continuedAsNew(handle, firstRun)).toBe(true);

    const due = Date.parse(calendar.stages.district_registration.dueAt);
    const cutoff = Date.parse(calendar.stages.district_registration.cutoffAt);
    await h.env.sleep(due - t0 + HOUR_MS);
    expect((await handle.query(stateQuery)).overdue).toBe(true);
    expect((await handle.describe()).typedSearchAttributes.get(OverdueKey)).toBe(true);
    expect(await handle.result()).toMatchObject({ outcome: 'expired' });
    expect(h.systemSteps(handle)).toEqual([
      { action: 'reminder', at: near(due - 72 * HOUR_MS) },
      { action: 'reminder', at: near(due - 24 * HOUR_MS) },
      { action: 'overdue', at: near(due) },
      ...[1, 2, 3, 4].map((d) => ({ action: 'escalated', at: near(due + d * DAY_MS) })),
      { action: 'closed_at_cutoff', at: near(cutoff) },
    ]);
    const seqs = h.steps(handle).map((s) => s.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('decides across runs, and still knows which tasks it has decided', async () => {
    const handle = await h.start(undefined, {}, { maxHistoryEvents: 20 });
    const firstRun = await runId(handle);
    const first = await h.openTaskId(handle);
    const answer = await h.decide(handle, { taskId: first, decision: 'accept' });
    const second = await h.walk(handle, ['recognize']);
    expect(await continuedAsNew(handle, firstRun)).toBe(true);
    const recorded = h.steps(handle).length;

    // Sent again to a later run, the first decision gets its first answer and is not applied again;
    // a different decision on it is refused.
    expect(await h.decide(handle, { taskId: first, decision: 'accept' })).toEqual(answer);
    expect(await refusal(h.decide(handle, { taskId: first, decision: 'reject' }))).toEqual({
      type: REFUSAL.conflict,
      message: 'this task has already been decided',
    });
    expect(h.steps(handle)).toHaveLength(recorded);
    expect(answer).toMatchObject({ taskId: first, stage: 'district_review' });

    await h.walk(handle, ['propose', 'recommend', 'recognize']);
    expect(await handle.result()).toMatchObject({ outcome: 'recognized_provincial' });
    expect(second).not.toBe(first);
    const state = await handle.query(stateQuery);
    expect(state).toMatchObject({ stage: 'closed', outcome: 'recognized_provincial', decisions: 5 });
    const actions = h.steps(handle).map((s) => s.action);
    expect(actions).toEqual(['registered', 'decided', 'decided', 'decided', 'decided', 'decided']);

    // The run that handed over and the run that went on from carried state both replay as recorded.
    for (const history of [await historyOf(handle, firstRun), await historyOf(handle)]) {
      await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history);
    }
  });
});
