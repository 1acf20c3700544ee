import { WithStartWorkflowOperation } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { HOUR_MS } from '../../src/domain/calendar';
import { nominationWorkflowId } from '../../src/domain/nomination';
import { REFUSAL } from '../../src/contracts/failures';
import { registrationUpdate, stateQuery } from '../../src/contracts/nomination.messages';
import type { nominationWorkflow } from '../../workflows/nomination.workflow';
import { refusal, WorkflowHarness } from '../support/workflow-harness';

/**
 * Defence in depth (issue 11): when PostgreSQL refuses a step's data, the workflow neither dies nor
 * loops. A person's request is answered 422 and changes nothing; the system's own step is held and
 * retried; either way the failure is on record for the stuck list. A trigger stands in for the data
 * the edge now refuses, so each path is exercised exactly.
 */
describe('steps PostgreSQL refuses for their data', () => {
  const h = new WorkflowHarness();
  beforeAll(async () => {
    await h.setUp();
    // Refuses one audit action of one nomination with a data exception (SQLSTATE 22000).
    await h.db.dataSource.query(`
      CREATE FUNCTION refuse_step() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action = TG_ARGV[0] AND NEW.nomination_id::text = TG_ARGV[1] THEN
          RAISE EXCEPTION 'refused for the test: %', NEW.action USING ERRCODE = '22000';
        END IF;
        RETURN NEW;
      END $$`);
  });
  afterAll(() => h.tearDown());

  const refuseStep = (action: string, nominationId: string) =>
    h.db.dataSource.query(
      `CREATE TRIGGER refuse_${action}_${nominationId.replace(/-/g, '')} BEFORE INSERT ON audit_events
         FOR EACH ROW EXECUTE FUNCTION refuse_step('${action}', '${nominationId}')`,
    );
  const allowStep = (action: string, nominationId: string) =>
    h.db.dataSource.query(`DROP TRIGGER refuse_${action}_${nominationId.replace(/-/g, '')} ON audit_events`);
  const failures = (nominationId: string) =>
    h.db.dataSource.query(
      `SELECT action, reason, attempts, actor_user_id, resolved_at IS NOT NULL AS resolved
         FROM step_failures WHERE nomination_id = $1 ORDER BY id`,
      [nominationId],
    );
  const seqs = async (workflowId: string): Promise<number[]> =>
    (
      await h.db.dataSource.query(`SELECT seq FROM audit_events WHERE workflow_id = $1 ORDER BY seq`, [
        workflowId,
      ])
    ).map((r: { seq: number }) => r.seq);

  const actions = async (workflowId: string): Promise<string[]> =>
    (
      await h.db.dataSource.query(`SELECT action FROM audit_events WHERE workflow_id = $1 ORDER BY seq`, [
        workflowId,
      ])
    ).map((r: { action: string }) => r.action);

  it('answers a decision with a NUL byte 422, keeps the nomination as it was, and takes the next one', async () => {
    const handle = await h.start();
    const { nominationId, task } = await handle.query(stateQuery);
    const bad = h.decide(handle, {
      taskId: task!.id,
      decision: 'request_revision',
      comment: 'thiếu\u0000ảnh',
    });
    const refused = await refusal(bad);
    expect(refused.type).toBe(REFUSAL.unrecorded);
    expect(refused.message).toMatch(/^the decision could not be recorded: invalid byte sequence/);

    const state = await handle.query(stateQuery);
    expect(state).toMatchObject({ stage: 'district_registration', decisions: 0, revisions: 0 });
    expect(state.task!.id).toBe(task!.id);
    expect(await failures(nominationId)).toEqual([
      expect.objectContaining({
        action: 'decided',
        attempts: 1,
        actor_user_id: h.admin.userId,
        resolved: false,
      }),
    ]);

    const next = await h.decide(handle, { taskId: task!.id, decision: 'accept', comment: 'đủ hồ sơ' });
    expect(next.stage).toBe('district_review');
    expect(await seqs(handle.workflowId)).toEqual([1, 2]); // the refused step gave its number back
    expect(await failures(nominationId)).toEqual([expect.objectContaining({ resolved: true })]);
  });

  it('refuses a registration it cannot record: 422, nothing written, and the same id may start again', async () => {
    const nominationId = randomUUID();
    const workflowId = nominationWorkflowId(nominationId);
    const calendar = h.calendar(await h.env.currentTimeMs());
    const start = (title: string) =>
      h.env.client.workflow.executeUpdateWithStart(registrationUpdate, {
        startWorkflowOperation: new WithStartWorkflowOperation<typeof nominationWorkflow>(
          'nominationWorkflow',
          {
            workflowId,
            taskQueue: h.taskQueue,
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
            args: [
              {
                nominationId,
                campaignId: h.org.campaignId,
                unitId: h.org.districtId,
                provinceUnitId: h.org.provinceId,
                calendar,
                title,
                description: 'Giữ sạch bờ biển',
                field: 'culture_society',
                kind: 'collective',
                nomineeName: 'Hội Phụ nữ xã Hàm Tiến',
                submittedBy: h.submitter,
              },
            ],
          },
        ),
      });
    const refused = await refusal(start('Bờ biển\u0000sạch'));
    expect(refused).toMatchObject({ type: REFUSAL.unrecorded });
    expect(refused.message).toMatch(/^the registration could not be recorded: /);
    expect(await h.db.dataSource.query(`SELECT id FROM nominations WHERE id = $1`, [nominationId])).toEqual(
      [],
    );
    expect((await h.env.client.workflow.getHandle(workflowId).describe()).status.name).toBe('FAILED');

    const state = await start('Bờ biển sạch');
    expect(state).toMatchObject({ nominationId, stage: 'district_registration' });
  });

  it("holds the system's reminder it cannot record, retries it with backoff, and records it once allowed", async () => {
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.start(calendar);
    const { nominationId } = await handle.query(stateQuery);
    await refuseStep('reminder', nominationId);
    const due = Date.parse(calendar.stages.district_registration.dueAt);
    await h.env.sleep(due - t0 - 72 * HOUR_MS + HOUR_MS); // the 72-hour reminder, then 1 + 2 + 4 + 8 + 16 min
    const [held] = await failures(nominationId);
    expect(held).toMatchObject({ action: 'reminder', actor_user_id: null, resolved: false });
    expect(held.attempts).toBeGreaterThanOrEqual(5);
    expect(held.reason).toBe('refused for the test (SQLSTATE 22000)'); // the reason, without the row's data
    expect((await handle.query(stateQuery)).stage).toBe('district_registration');

    await allowStep('reminder', nominationId);
    await h.env.sleep(2 * HOUR_MS); // the next try is at most an hour away
    expect(await actions(handle.workflowId)).toEqual(['registered', 'reminder']);
    expect(await failures(nominationId)).toEqual([
      expect.objectContaining({ action: 'reminder', resolved: true }),
    ]);
    const recorded = await seqs(handle.workflowId);
    expect(recorded).toEqual(recorded.map((_, i) => i + 1));
  });

  it('still closes at the cut-off while a reminder is held', async () => {
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.start(calendar);
    const { nominationId } = await handle.query(stateQuery);
    await refuseStep('reminder', nominationId);
    const cutoff = Date.parse(calendar.stages.district_registration.cutoffAt);
    await h.env.sleep(cutoff - t0 + HOUR_MS);
    const state = await handle.query(stateQuery);
    expect(state).toMatchObject({ stage: 'closed', outcome: 'expired' });
    expect(await actions(handle.workflowId)).toEqual(['registered', 'closed_at_cutoff']);
    expect(await failures(nominationId)).toEqual([
      expect.objectContaining({ action: 'reminder', resolved: true }),
    ]);
    await allowStep('reminder', nominationId);
  });

  it('answers a retried decision with its first answer and refuses a different one', async () => {
    const handle = await h.start();
    const taskId = await h.openTaskId(handle);
    const first = await h.decide(handle, { taskId, decision: 'accept', comment: 'đủ' });
    const again = await h.decide(handle, { taskId, decision: 'accept', comment: 'đủ' });
    expect(again).toEqual(first);
    expect(await refusal(h.decide(handle, { taskId, decision: 'reject', comment: 'đủ' }))).toEqual({
      type: REFUSAL.conflict,
      message: 'this task has already been decided',
    });
    expect(
      await refusal(h.decide(handle, { taskId, decision: 'accept', comment: 'đủ', actor: h.reviewer })),
    ).toMatchObject({ type: REFUSAL.conflict });
    expect(h.steps(handle).filter((s) => s.action === 'decided')).toHaveLength(1);
  });
});
