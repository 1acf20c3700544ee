import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { Outcome } from '../../src/domain/nomination';
import {
  CampaignIdKey,
  NominationStageKey,
  OverdueKey,
  UnitIdKey,
} from '../../src/contracts/search-attributes';
import { REFUSAL } from '../../src/contracts/failures';
import { stateQuery, type Actor, type DecisionInput } from '../../src/contracts/nomination.messages';
import { refusal, WorkflowHarness } from '../support/workflow-harness';

describe('nominationWorkflow on the time-skipping server, projecting into PostgreSQL', () => {
  const h = new WorkflowHarness();
  beforeAll(() => h.setUp());
  afterAll(() => h.tearDown());

  const start = () => h.start();
  const openTaskId = (handle: Parameters<WorkflowHarness['openTaskId']>[0]) => h.openTaskId(handle);
  const decide = (
    handle: Parameters<WorkflowHarness['decide']>[0],
    d: Omit<DecisionInput, 'actor'> & { actor?: Actor },
  ) => h.decide(handle, { actor: h.reviewer, ...d });

  it('walks all five stages to provincial recognition and projects every step exactly once', async () => {
    const handle = await start();
    const nominationId = (await handle.query(stateQuery)).nominationId;
    let taskId = await openTaskId(handle);
    const steps = [
      { decision: 'accept', actor: h.reviewer, stage: 'district_review' },
      { decision: 'recognize', actor: h.reviewer, stage: 'provincial_proposal' },
      { decision: 'propose', actor: h.reviewer, stage: 'provincial_review' },
      { decision: 'recommend', actor: h.admin, score: 87, stage: 'recognition' },
      { decision: 'recognize', actor: h.admin, stage: 'closed' },
    ];
    for (const step of steps) {
      const result = await decide(handle, {
        taskId,
        decision: step.decision,
        actor: step.actor,
        score: step.score,
      });
      expect(result.stage).toBe(step.stage);
      if (step.stage !== 'closed') taskId = result.nextTaskId!;
    }
    expect(await handle.result()).toEqual({ nominationId, outcome: 'recognized_provincial' });
    const { typedSearchAttributes: sa } = await handle.describe();
    expect([
      sa.get(NominationStageKey),
      sa.get(CampaignIdKey),
      sa.get(UnitIdKey),
      sa.get(OverdueKey),
    ]).toEqual(['closed', h.org.campaignId, h.org.districtId, false]);

    const [row] = await h.db.dataSource.query(
      'SELECT stage, outcome, closed_at FROM nominations WHERE id = $1',
      [nominationId],
    );
    expect(row).toMatchObject({ stage: 'closed', outcome: 'recognized_provincial' });
    expect(row.closed_at).not.toBeNull();

    const tasks = await h.db.dataSource.query(
      'SELECT stage, status, decision, score FROM tasks WHERE nomination_id = $1 ORDER BY opened_at, stage',
      [nominationId],
    );
    expect(tasks).toEqual([
      { stage: 'district_registration', status: 'completed', decision: 'accept', score: null },
      { stage: 'district_review', status: 'completed', decision: 'recognize', score: null },
      { stage: 'provincial_proposal', status: 'completed', decision: 'propose', score: null },
      { stage: 'provincial_review', status: 'completed', decision: 'recommend', score: 87 },
      { stage: 'recognition', status: 'completed', decision: 'recognize', score: null },
    ]);

    const audit = await h.db.dataSource.query(
      `SELECT seq, action, actor_type, actor_name, actor_role, stage_before, stage_after, decision
           FROM audit_events WHERE nomination_id = $1 ORDER BY seq`,
      [nominationId],
    );
    expect(audit.map((a: { seq: number }) => a.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(audit[0]).toMatchObject({
      action: 'registered',
      actor_name: 'Trần Thị Hoa',
      stage_after: 'district_registration',
    });
    expect(audit[1]).toMatchObject({
      action: 'decided',
      actor_type: 'user',
      actor_name: 'Nguyễn Văn Bình',
      actor_role: 'district_reviewer',
      stage_before: 'district_registration',
      stage_after: 'district_review',
      decision: 'accept',
    });
    expect(audit[5]).toMatchObject({
      stage_before: 'recognition',
      stage_after: 'closed',
      decision: 'recognize',
    });

    // A retried activity (lost reply, worker died after commit) changes nothing the second time.
    const mine = h.projections.filter((p) => p.nominationId === nominationId);
    expect(mine).toHaveLength(6);
    const again = await new MockActivityEnvironment().run(
      createActivities(h.db.dataSource).recordProjection,
      mine[2],
    );
    expect(again).toEqual({ applied: false });
    const [{ count }] = await h.db.dataSource.query(
      'SELECT count(*)::int AS count FROM audit_events WHERE nomination_id = $1',
      [nominationId],
    );
    expect(count).toBe(6);
  });

  const closings: { path: string[]; closing: string; outcome: Outcome }[] = [
    { path: [], closing: 'reject', outcome: 'rejected' },
    { path: ['accept'], closing: 'not_recognize', outcome: 'not_recognized' },
    { path: ['accept', 'recognize'], closing: 'not_propose', outcome: 'recognized_district' },
    { path: ['accept', 'recognize', 'propose'], closing: 'not_recommend', outcome: 'recognized_district' },
    {
      path: ['accept', 'recognize', 'propose', 'recommend'],
      closing: 'not_recognize',
      outcome: 'recognized_district',
    },
  ];
  it.each(closings)('closes as $outcome on $closing after [$path]', async ({ path, closing, outcome }) => {
    const handle = await start();
    let taskId = await openTaskId(handle);
    for (const decision of path) {
      const score = decision === 'recommend' ? 60 : undefined;
      taskId = (await decide(handle, { taskId, decision, score, actor: h.admin })).nextTaskId!;
    }
    const score = closing === 'not_recommend' ? 40 : undefined;
    const result = await decide(handle, { taskId, decision: closing, score, actor: h.admin });
    expect(result).toMatchObject({ stage: 'closed', outcome, nextTaskId: null });
    expect((await handle.result()).outcome).toBe(outcome);
  });

  it('refuses impossible decisions in the validator, before they reach history', async () => {
    const handle = await start();
    const taskId = await openTaskId(handle);

    expect(await refusal(decide(handle, { taskId, decision: 'recommend' }))).toEqual({
      type: REFUSAL.invalid,
      message:
        "decision 'recommend' is not allowed at stage district_registration; allowed: accept, request_revision, reject",
    });
    expect(await refusal(decide(handle, { taskId, decision: 'accept', score: 50 }))).toMatchObject({
      type: REFUSAL.invalid,
      message: 'score is only given at stage provincial_review',
    });
    expect(await refusal(decide(handle, { taskId: randomUUID(), decision: 'accept' }))).toMatchObject({
      type: REFUSAL.conflict,
      message: 'this task is not open',
    });
    expect(await refusal(decide(handle, { taskId, decision: 'accept', actor: h.submitter }))).toMatchObject({
      type: REFUSAL.forbidden,
    });

    const first = await decide(handle, { taskId, decision: 'accept' });
    expect(await refusal(decide(handle, { taskId, decision: 'reject' }))).toEqual({
      type: REFUSAL.conflict,
      message: 'this task has already been decided',
    });
    const next = first.nextTaskId!;
    const recognized = await decide(handle, { taskId: next, decision: 'recognize' });
    const proposed = await decide(handle, { taskId: recognized.nextTaskId!, decision: 'propose' });
    expect(
      await refusal(decide(handle, { taskId: proposed.nextTaskId!, decision: 'recommend', actor: h.admin })),
    ).toEqual({
      type: REFUSAL.invalid,
      message: 'score is required at stage provincial_review',
    });
    expect(
      await refusal(
        decide(handle, { taskId: proposed.nextTaskId!, decision: 'recommend', score: 101, actor: h.admin }),
      ),
    ).toMatchObject({ type: REFUSAL.invalid, message: 'score must be an integer from 0 to 100' });

    // Only the three accepted decisions are in the workflow's history; the refusals left no trace.
    const history = await handle.fetchHistory();
    const accepted = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted).toHaveLength(3);
    expect((await handle.query(stateQuery)).stage).toBe('provincial_review');
  });

  it('refuses any decision once the nomination is closed', async () => {
    const handle = await start();
    const taskId = await openTaskId(handle);
    await decide(handle, { taskId, decision: 'reject' });
    await handle.result();
    // The server itself refuses (a closed workflow takes no Update): no validator ran, nothing was recorded.
    const late = decide(handle, { taskId, decision: 'accept' });
    await expect(late).rejects.toThrow(WorkflowNotFoundError);
  });
});
