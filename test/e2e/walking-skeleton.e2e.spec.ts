import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { NominationStageKey } from '../../src/contracts/search-attributes';
import { E2E_ADMIN, TestApp } from '../support/http-app';

/**
 * HTTP → API → real Temporal dev server → worker → activities → real PostgreSQL: the whole path a
 * user's request takes, with the application started exactly as `npm start` starts it.
 */
describe('walking skeleton over HTTP', () => {
  let t: TestApp;
  let temporal: Client;
  let campaignId: string;
  let districtId: string;

  beforeAll(async () => {
    t = await TestApp.start();
    temporal = new Client({
      connection: await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! }),
    });
  });

  afterAll(async () => {
    await temporal?.connection.close();
    await t?.close();
  });

  const call = (...args: Parameters<TestApp['call']>) => t.call(...args);

  const model = () => ({
    campaignId,
    unitId: districtId,
    title: 'Mô hình "Bếp ăn nghĩa tình" – Đức Linh',
    description: 'Nấu cơm miễn phí cho bệnh nhân nghèo tại Trung tâm Y tế huyện.',
    field: 'culture_society',
    kind: 'collective',
    nomineeName: 'Hội Liên hiệp Phụ nữ xã Đức Tài',
  });

  it('is closed to anonymous callers except health, docs and login', async () => {
    expect((await call('GET', '/health')).body).toMatchObject({
      status: 'ok',
      postgres: { ok: true },
      temporal: { ok: true },
    });
    expect((await call('GET', '/docs')).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/nominations'],
      ['POST', '/nominations'],
      ['GET', `/nominations/${randomUUID()}`],
      ['GET', `/nominations/${randomUUID()}/history`],
      ['GET', '/tasks'],
      ['GET', '/units'],
      ['GET', '/campaigns'],
      ['POST', `/tasks/${randomUUID()}/decision`],
    ]) {
      const res = await call(method, path, method === 'POST' ? {} : undefined, {
        authorization: 'Bearer not-a-token',
      });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 401 });
    }
    const wrong = await call('POST', '/auth/login', {
      username: E2E_ADMIN.username,
      password: 'wrong password',
    });
    const unknown = await call('POST', '/auth/login', { username: 'nobody', password: 'wrong password' });
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('signs in the first administrator created from ADMIN_USERNAME / ADMIN_PASSWORD', async () => {
    const res = await t.login(E2E_ADMIN.username, E2E_ADMIN.password);
    expect(res.status).toBe(200);
    expect(res.body.accessToken).toEqual(expect.any(String));
  });

  it("lists the seeded demo province, its 14 district-level units and this year's campaign", async () => {
    const units = await call('GET', '/units');
    expect(units.status).toBe(200);
    expect(units.body).toHaveLength(1);
    const [province] = units.body;
    expect(province).toMatchObject({ name: 'Tỉnh Bình Thuận', level: 'province', parentId: null });
    expect(province.children).toHaveLength(14);
    districtId = province.children.find((u: { name: string }) => u.name === 'Huyện Đức Linh').id;

    const campaigns = await call('GET', '/campaigns');
    expect(campaigns.body).toHaveLength(1);
    campaignId = campaigns.body[0].id;
    expect(campaigns.body[0]).toMatchObject({
      provinceUnitId: province.id,
      year: new Date().getUTCFullYear(),
    });
    expect((await call('GET', `/campaigns/${campaignId}`)).body.calendar.stages.recognition).toEqual({
      dueAt: expect.any(String),
      cutoffAt: expect.any(String),
    });
  });

  it('refuses bad input with a 4xx naming the field, and writes nothing', async () => {
    const bad = await call('POST', '/nominations', { ...model(), field: 'sports', title: '  ', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('Bad Request');
    expect(bad.body.message).toContain(
      'field must be one of economic, culture_society, defense_security, political_system',
    );
    expect(bad.body.message).toContain('title must not be empty');
    expect(bad.body.message).toContain('property extra should not exist');

    const unknownCampaign = await call('POST', '/nominations', { ...model(), campaignId: randomUUID() });
    expect(unknownCampaign).toMatchObject({
      status: 422,
      body: { message: 'campaignId: no campaign with this id' },
    });
    const [{ count }] = await t.db.dataSource.query('SELECT count(*)::int AS count FROM nominations');
    expect(count).toBe(0);
  });

  it('drives one nomination through every stage, with its history', async () => {
    const key = randomUUID();
    const created = await call('POST', '/nominations', model(), { 'idempotency-key': key });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...model(), stage: 'district_registration', outcome: null });
    const id = created.body.id;

    // A retried request with the same key returns the same nomination; no second workflow.
    const retried = await call('POST', '/nominations', model(), { 'idempotency-key': key });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.body.id).toBe(id);
    const runs = temporal.workflow.list({ query: `WorkflowId = '${created.body.workflowId}'` });
    let runCount = 0;
    for await (const _ of runs) runCount++;
    expect(runCount).toBe(1);

    const steps = [
      { decision: 'accept', stage: 'district_review' },
      { decision: 'recognize', stage: 'provincial_proposal' },
      { decision: 'propose', stage: 'provincial_review' },
      { decision: 'recommend', score: 92, comment: 'Lan tỏa tốt, dễ nhân rộng.', stage: 'recognition' },
      { decision: 'recognize', stage: 'closed' },
    ];
    for (const step of steps) {
      const tasks = await call('GET', `/tasks?nominationId=${id}`);
      expect(tasks.status).toBe(200);
      expect(tasks.body).toHaveLength(1);
      const [task] = tasks.body;
      expect(task.allowedDecisions).toContain(step.decision);

      if (step.decision === 'recommend') {
        // The workflow refuses what the stage cannot take, and the API says why.
        const refused = await call('POST', `/tasks/${task.id}/decision`, { decision: 'recommend' });
        expect(refused).toMatchObject({
          status: 422,
          body: { message: 'score is required at stage provincial_review' },
        });
      }
      const decided = await call('POST', `/tasks/${task.id}/decision`, {
        decision: step.decision,
        score: step.score,
        comment: step.comment,
      });
      expect(decided.status).toBe(200);
      expect(decided.body).toMatchObject({ nominationId: id, taskId: task.id, stage: step.stage });
      expect((await call('GET', `/nominations/${id}`)).body.stage).toBe(step.stage);

      // The same request again is the same Update: the first answer. Anything else is a second decision.
      const same = await call('POST', `/tasks/${task.id}/decision`, {
        decision: step.decision,
        score: step.score,
        comment: step.comment,
      });
      expect(same).toMatchObject({ status: 200, body: decided.body });
      const again = await call('POST', `/tasks/${task.id}/decision`, {
        decision: step.decision,
        score: step.score,
        comment: 'một lần nữa',
      });
      expect(again.status).toBe(409);
    }

    const final = await call('GET', `/nominations/${id}`);
    expect(final.body).toMatchObject({ stage: 'closed', outcome: 'recognized_provincial' });
    expect((await call('GET', `/tasks?nominationId=${id}`)).body).toEqual([]);

    const history = await call('GET', `/nominations/${id}/history`);
    expect(history.status).toBe(200);
    expect(history.body.map((e: { action: string; stageAfter: string }) => [e.action, e.stageAfter])).toEqual(
      [
        ['registered', 'district_registration'],
        ['decided', 'district_review'],
        ['decided', 'provincial_proposal'],
        ['decided', 'provincial_review'],
        ['decided', 'recognition'],
        ['decided', 'closed'],
      ],
    );
    expect(history.body[4]).toMatchObject({
      actor: { type: 'user', name: 'Quản trị viên', role: 'admin' },
      decision: 'recommend',
      score: 92,
      comment: 'Lan tỏa tốt, dễ nhân rộng.',
    });

    const description = await temporal.workflow.getHandle(created.body.workflowId).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.typedSearchAttributes.get(NominationStageKey)).toBe('closed');
  });

  it('answers 404 for a nomination that does not exist and 400 for a malformed id', async () => {
    expect((await call('GET', `/nominations/${randomUUID()}`)).status).toBe(404);
    expect((await call('GET', '/nominations/not-a-uuid')).status).toBe(400);
  });
});
