import { Client, Connection } from '@temporalio/client';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { reconcile } from '../../src/reconcile/reconcile';
import { E2E_ADMIN, TestApp } from '../support/http-app';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

/**
 * `npm run reconcile` against a real database and the dev server: a deliberately corrupted read model is
 * reported, repaired from the workflow's state (audited as the administrator's act), and then reports clean.
 */
describe('reconcile: the read model against each workflow’s state', () => {
  let t: TestApp;
  let connection: Connection;
  let client: Client;
  let id: string;
  let taskId: string;

  beforeAll(async () => {
    t = await TestApp.start();
    await t.login();
    const demo = await t.demo();
    const created = await t.call('POST', '/nominations', {
      campaignId: demo.campaignId,
      unitId: demo.districtId,
      title: 'Mô hình "Dân vận khéo" đối chiếu',
      description: 'Vận động người dân giữ sạch bờ biển.',
      field: 'culture_society',
      kind: 'collective',
      nomineeName: 'Hội Phụ nữ xã',
    });
    expect(created.status).toBe(201);
    id = created.body.id;
    const [first] = (await t.call('GET', `/tasks?nominationId=${id}`)).body;
    const decided = await t.call('POST', `/tasks/${first.id}/decision`, { decision: 'accept' });
    expect(decided.status).toBe(200);
    taskId = decided.body.nextTaskId;
    connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await connection?.close();
    await t?.close();
  });

  const reconcileCli = async (...args: string[]) => {
    try {
      const { stdout } = await run(
        process.execPath,
        [path.join(root, 'dist/scripts/reconcile.js'), ...args],
        {
          env: {
            ...process.env,
            DATABASE_URL: t.db.url,
            TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
            ADMIN_USERNAME: E2E_ADMIN.username,
            LOG_LEVEL: 'warn',
          },
        },
      );
      return {
        code: 0,
        lines: stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
      };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      if (e.code !== 1) throw new Error(`reconcile exited ${e.code}: ${e.stderr}`);
      return {
        code: 1,
        lines: e.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
      };
    }
  };

  it('finds the read model equal to the workflow after ordinary steps', async () => {
    const report = await reconcile(t.db.dataSource, client, { nominationIds: [id] });
    expect(report.entries).toEqual([
      expect.objectContaining({ nominationId: id, status: 'equal', differences: [] }),
    ]);
  });

  it('reports, repairs and audits a corrupted row and task, then reports it clean', async () => {
    const ds = t.db.dataSource;
    await ds.query(
      `UPDATE nominations SET stage = 'closed', outcome = 'rejected', revisions = 3 WHERE id = $1`,
      [id],
    );
    await ds.query(
      `UPDATE tasks SET due_at = due_at + interval '1 day', status = 'completed' WHERE id = $1`,
      [taskId],
    );

    const found = await reconcileCli('--nomination', id);
    expect(found.code).toBe(1);
    const [entry, summary] = found.lines;
    expect(entry).toMatchObject({ nominationId: id, status: 'different' });
    expect(entry.differences).toEqual([
      { field: 'stage', readModel: 'closed', workflow: 'district_review' },
      { field: 'outcome', readModel: 'rejected', workflow: null },
      { field: 'revisions', readModel: 3, workflow: 0 },
      { field: `task ${taskId}`, readModel: 'not open', workflow: 'open' },
    ]);
    expect(summary).toMatchObject({ summary: { different: 1 }, nominations: 1 });

    const repaired = await reconcileCli('--repair', '--nomination', id);
    expect(repaired.code).toBe(0);
    expect(repaired.lines[0]).toMatchObject({ nominationId: id, status: 'repaired' });

    const [row] = await ds.query(
      `SELECT stage, outcome, revisions, closed_at FROM nominations WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({ stage: 'district_review', outcome: null, revisions: 0, closed_at: null });
    const state = await client.workflow.getHandle(`nomination-${id}`).query('state');
    const [task] = await ds.query(`SELECT status, due_at FROM tasks WHERE id = $1`, [taskId]);
    expect(task.status).toBe('open');
    expect(task.due_at.toISOString()).toBe(
      new Date((state as { task: { dueAt: string } }).task.dueAt).toISOString(),
    );

    const [audit] = await ds.query(
      `SELECT a.action, a.actor_type, a.actor_role, a.stage_before, a.stage_after, a.comment, u.username
         FROM audit_events a JOIN users u ON u.id = a.actor_user_id
        WHERE a.nomination_id = $1 AND a.action = 'reconciled'`,
      [id],
    );
    expect(audit).toMatchObject({
      action: 'reconciled',
      actor_type: 'user',
      actor_role: 'admin',
      username: E2E_ADMIN.username,
      stage_before: 'closed',
      stage_after: 'district_review',
    });
    expect(audit.comment).toContain('stage "closed" → "district_review"');

    const clean = await reconcileCli('--nomination', id);
    expect(clean).toEqual({
      code: 0,
      lines: [{ summary: expect.objectContaining({ equal: 1 }), nominations: 1 }],
    });
  });

  it('keeps the workflow’s own audit trail gapless: the repair is keyed apart from its steps', async () => {
    const rows: { seq: number }[] = await t.db.dataSource.query(
      `SELECT seq FROM audit_events WHERE workflow_id = $1 ORDER BY seq`,
      [`nomination-${id}`],
    );
    expect(rows.map((r) => r.seq)).toEqual([1, 2]);
    const next = await t.call('GET', `/tasks?nominationId=${id}`);
    const decided = await t.call('POST', `/tasks/${next.body[0].id}/decision`, { decision: 'recognize' });
    expect(decided).toMatchObject({ status: 200, body: { stage: 'provincial_proposal' } });
    expect((await reconcile(t.db.dataSource, client, { nominationIds: [id] })).counts.equal).toBe(1);
  });
});
