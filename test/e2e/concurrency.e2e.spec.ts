import { Client, Connection } from '@temporalio/client';
import { STAGES } from '../../src/domain/nomination';
import type { Calendar } from '../../src/domain/calendar';
import { createUser } from '../support/fixtures';
import { TestApp, type HttpResult } from '../support/http-app';

const PASSWORD = 'correct horse battery';
const HOUR = 3_600_000;
const REVIEWERS = 10;
const RETRIES = 20;
const IMPORTS = 3;
const IMPORT_ROWS = 12;
const RACES = 6;

/*
 * Many people acting on the same thing at the same moment, through HTTP against the dev server, the
 * worker and PostgreSQL: one claim wins, one decision is applied however often it is sent, a file is
 * registered once however many times it is uploaded at once, and a withdrawal racing a decision leaves
 * one outcome that the read model and the workflow agree on. (Proposals racing a unit's quota:
 * proposal-quota.e2e.spec.ts.)
 */
describe('concurrent requests over HTTP', () => {
  let t: TestApp;
  let temporal: Client;
  let campaignId: string;
  let ducLinh: string;
  let voXu: string;
  let provinceId: string;
  const tokens = new Map<string, string>();

  /** Signs `username` in once; later calls reuse the token. */
  async function tokenOf(username: string, password = PASSWORD): Promise<string> {
    let token = tokens.get(username);
    if (!token) {
      const res = await t.call('POST', '/auth/login', { username, password });
      expect(res.status).toBe(200);
      token = res.body.accessToken as string;
      tokens.set(username, token);
    }
    return token;
  }

  const callAs = (
    token: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => t.call(method, path, body, { ...headers, authorization: `Bearer ${token}` });

  async function register(title: string, unitId = voXu): Promise<string> {
    const res = await t.call('POST', '/nominations', {
      campaignId,
      unitId,
      title,
      description: 'Mô tả mô hình.',
      field: 'economic',
      kind: 'collective',
      nomineeName: 'Ban công tác Mặt trận',
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  const openTask = async (nominationId: string) => {
    const res = await t.call('GET', `/tasks?nominationId=${nominationId}`);
    expect(res.body).toHaveLength(1);
    return res.body[0] as { id: string; workflowId: string };
  };

  const audit = async (nominationId: string) =>
    (await t.call('GET', `/nominations/${nominationId}/history`)).body as {
      action: string;
      decision: string | null;
      actor: { userId: string };
    }[];

  /** The names of the Updates the workflow accepted into its history (all runs of its chain). */
  async function acceptedUpdates(workflowId: string): Promise<string[]> {
    const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).flatMap((e) => {
      const name = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
      return name ? [name] : [];
    });
  }

  /** The workflow's own result, waited for with an upper bound only. */
  async function workflowOutcome(workflowId: string): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${workflowId} did not complete within 30 s`)), 30_000);
    });
    try {
      const result = await Promise.race([temporal.workflow.getHandle(workflowId).result(), bound]);
      return (result as { outcome: string }).outcome;
    } finally {
      clearTimeout(timer);
    }
  }

  beforeAll(async () => {
    temporal = new Client({
      connection: await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! }),
    });
    t = await TestApp.start();
    await t.login();
    const [province] = (await t.call('GET', '/units')).body;
    provinceId = province.id;
    const district = province.children.find((u: { name: string }) => u.name === 'Huyện Đức Linh');
    ducLinh = district.id;
    voXu = district.children.find((u: { name: string }) => u.name === 'Thị trấn Võ Xu').id;
    campaignId = (await t.call('GET', '/campaigns')).body[0].id;
  });
  afterAll(async () => {
    await t?.close();
    await temporal?.connection.close();
  });

  it(`lets one of ${REVIEWERS} reviewers claiming at once win; the others get 409 naming the holder`, async () => {
    const reviewers = await Promise.all(
      Array.from({ length: REVIEWERS }, (_, i) =>
        createUser(t.db.dataSource, {
          username: `claimer.${i + 1}`,
          displayName: `Người duyệt số ${i + 1}`,
          role: 'district_reviewer',
          unitId: ducLinh,
          password: PASSWORD,
        }),
      ),
    );
    const claimers = await Promise.all(
      reviewers.map(async (r, i) => ({ ...r, token: await tokenOf(`claimer.${i + 1}`) })),
    );
    const nominationId = await register('Mô hình "Nhận việc cùng lúc"');
    const task = await openTask(nominationId);

    const answers = await Promise.all(
      claimers.map((c) => callAs(c.token, 'POST', `/tasks/${task.id}/claim`)),
    );

    const won = answers.flatMap((a, i) => (a.status === 200 ? [i] : []));
    expect(won).toHaveLength(1);
    const winner = claimers[won[0]];
    expect(answers[won[0]].body).toMatchObject({
      id: task.id,
      assigneeUserId: winner.userId,
      claimedByName: winner.displayName,
    });
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused.map((a) => a.status)).toEqual(Array(REVIEWERS - 1).fill(409));
    for (const a of refused) {
      expect(a.body).toEqual({
        statusCode: 409,
        error: 'Conflict',
        message: `the task is already claimed by ${winner.displayName}`,
      });
    }

    const [row] = await t.db.dataSource.query(`SELECT assignee_user_id, status FROM tasks WHERE id = $1`, [
      task.id,
    ]);
    expect(row).toEqual({ assignee_user_id: winner.userId, status: 'open' });
    const history = await audit(nominationId);
    expect(history.map((e) => e.action)).toEqual(['registered', 'claimed']);
    expect(history[1].actor.userId).toBe(winner.userId);
    expect((await acceptedUpdates(task.workflowId)).filter((n) => n === 'assign')).toEqual(['assign']);
  });

  it.each([
    ['accept', 'district_review', null],
    ['reject', 'closed', 'rejected'],
  ])(
    `applies a decision (%s) sent ${RETRIES} times at once with one Idempotency-Key once, answering all alike`,
    async (decision, stage, outcome) => {
      const nominationId = await register(`Mô hình "Gửi lại ${decision}"`);
      const task = await openTask(nominationId);
      const reviewer = await tokenOf('demo.district', 'demo-password');
      const key = `decision-${decision}-${task.id}`;

      const answers = await Promise.all(
        Array.from({ length: RETRIES }, () =>
          callAs(
            reviewer,
            'POST',
            `/tasks/${task.id}/decision`,
            { decision, comment: 'Đạt yêu cầu.' },
            { 'idempotency-key': key },
          ),
        ),
      );

      const first = answers[0];
      expect(first).toMatchObject({
        status: 200,
        body: { nominationId, taskId: task.id, decision, stage, outcome },
      });
      for (const a of answers)
        expect({ status: a.status, body: a.body }).toEqual({ status: 200, body: first.body });

      const history = await audit(nominationId);
      expect(history.map((e) => [e.action, e.decision])).toEqual([
        ['registered', null],
        ['decided', decision],
      ]);
      expect((await acceptedUpdates(task.workflowId)).filter((n) => n === 'decide')).toEqual(['decide']);
      const [{ decided }] = await t.db.dataSource.query(
        `SELECT count(*)::int AS decided FROM tasks WHERE nomination_id = $1 AND decision IS NOT NULL`,
        [nominationId],
      );
      expect(decided).toBe(1);
    },
  );

  it(`registers a file uploaded ${IMPORTS} times at once exactly once, and the answers add up`, async () => {
    const campaign = await t.call('POST', '/campaigns', {
      name: 'Dân vận khéo 2096',
      year: 2096,
      provinceUnitId: provinceId,
      calendar: calendarFrom(Date.now()),
    });
    expect(campaign.status).toBe(201);
    const file = [
      'title,description,field,kind,nomineeName,unit',
      ...Array.from(
        { length: IMPORT_ROWS },
        (_, i) =>
          `Mô hình nhập song song số ${i + 1},Mô tả số ${i + 1},economic,collective,Tổ dân vận ${i + 1},Thị trấn Võ Xu`,
      ),
    ].join('\n');
    const upload = async () => {
      const res = await fetch(`${t.app.url}/campaigns/${campaign.body.id}/nominations/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'text/csv; charset=utf-8' },
        body: file,
      });
      return { status: res.status, body: (await res.json()) as ImportAnswer };
    };

    const answers = await Promise.all(Array.from({ length: IMPORTS }, upload));

    const ids = answers[0].body.nominations.map((n: { id: string }) => n.id);
    expect(new Set(ids).size).toBe(IMPORT_ROWS);
    for (const a of answers) {
      // 201 when this upload registered something, 200 when another upload had registered it all.
      expect(a.status).toBe(a.body.created > 0 ? 201 : 200);
      expect(a.body).toMatchObject({ imported: IMPORT_ROWS });
      expect(a.body.created + a.body.alreadyPresent).toBe(IMPORT_ROWS);
      expect(a.body.nominations).toEqual(answers[0].body.nominations);
    }
    // Each row is reported created by exactly one of the uploads.
    expect(answers.reduce((sum, a) => sum + a.body.created, 0)).toBe(IMPORT_ROWS);

    const ds = t.db.dataSource;
    const [{ nominations, distinctTitles }] = await ds.query(
      `SELECT count(*)::int AS nominations, count(DISTINCT title)::int AS "distinctTitles"
         FROM nominations WHERE campaign_id = $1`,
      [campaign.body.id],
    );
    expect({ nominations, distinctTitles }).toEqual({
      nominations: IMPORT_ROWS,
      distinctTitles: IMPORT_ROWS,
    });
    const perNomination: { tasks: number; registered: number }[] = await ds.query(
      `SELECT (SELECT count(*)::int FROM tasks t WHERE t.nomination_id = n.id) AS tasks,
              (SELECT count(*)::int FROM audit_events a WHERE a.nomination_id = n.id AND a.action = 'registered') AS registered
         FROM nominations n WHERE n.campaign_id = $1`,
      [campaign.body.id],
    );
    expect(perNomination).toEqual(Array(IMPORT_ROWS).fill({ tasks: 1, registered: 1 }));
  });

  it(`lets one of a withdrawal and a decision sent at once win (${RACES} races); the other gets 409`, async () => {
    const submitter = await tokenOf('demo.submitter', 'demo-password');
    const reviewer = await tokenOf('demo.district', 'demo-password');
    const ids = await Promise.all(
      Array.from({ length: RACES }, (_, i) => register(`Mô hình "Rút hay duyệt" số ${i + 1}`)),
    );

    const races = await Promise.all(
      ids.map(async (id) => {
        const task = await openTask(id);
        const [withdrawal, decision] = await Promise.all([
          callAs(submitter, 'POST', `/nominations/${id}/withdraw`, { reason: 'Đơn vị rút hồ sơ.' }),
          callAs(reviewer, 'POST', `/tasks/${task.id}/decision`, {
            decision: 'reject',
            comment: 'Không đạt.',
          }),
        ]);
        return { id, task, withdrawal, decision };
      }),
    );

    for (const { id, task, withdrawal, decision } of races) {
      const statuses = [withdrawal.status, decision.status];
      expect(statuses.sort()).toEqual([200, 409]);
      const [winner, loser]: [string, HttpResult] =
        withdrawal.status === 200 ? ['withdrawn', decision] : ['rejected', withdrawal];
      // Told what happened, not merely that the nomination was busy with the winner.
      expect(loser.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'the nomination is closed' });
      if (winner === 'withdrawn')
        expect(withdrawal.body).toMatchObject({ id, stage: 'closed', outcome: 'withdrawn' });
      else expect(decision.body).toMatchObject({ nominationId: id, stage: 'closed', outcome: 'rejected' });

      // The read model, its audit and the workflow tell the same story.
      expect(await workflowOutcome(task.workflowId)).toBe(winner);
      const n = (await t.call('GET', `/nominations/${id}`)).body;
      expect(n).toMatchObject({ stage: 'closed', outcome: winner });
      const history = await audit(id);
      expect(history.map((e) => e.action)).toEqual([
        'registered',
        winner === 'withdrawn' ? 'withdrawn' : 'decided',
      ]);
      const [row] = await t.db.dataSource.query(`SELECT status, decision FROM tasks WHERE id = $1`, [
        task.id,
      ]);
      expect(row.status).not.toBe('open');
      expect(row.decision).toBe(winner === 'rejected' ? 'reject' : null);
      const updates = await acceptedUpdates(task.workflowId);
      expect(updates.filter((u) => u === 'withdraw' || u === 'decide')).toEqual([
        winner === 'withdrawn' ? 'withdraw' : 'decide',
      ]);
    }
    console.log(
      JSON.stringify({
        races: RACES,
        withdrawn: races.filter((r) => r.withdrawal.status === 200).length,
        loserMessages: races.map(
          (r) => (r.withdrawal.status === 200 ? r.decision : r.withdrawal).body.message,
        ),
      }),
    );
  });
});

interface ImportAnswer {
  imported: number;
  created: number;
  alreadyPresent: number;
  nominations: { row: number; id: string; title: string }[];
}

function calendarFrom(from: number): Calendar {
  const stages = {} as Calendar['stages'];
  STAGES.forEach((stage, i) => {
    const due = from + (i + 1) * 24 * HOUR;
    stages[stage] = { dueAt: new Date(due).toISOString(), cutoffAt: new Date(due + 12 * HOUR).toISOString() };
  });
  return { stages, reminderOffsetsHours: [72, 24], revisionWindowHours: 168 };
}
