import { TestApp } from '../support/http-app';

/** The lifecycle over HTTP: revision loop, withdrawal, and a calendar move reaching an in-flight nomination. */
describe('nomination lifecycle over HTTP', () => {
  let t: TestApp;
  let demo: Awaited<ReturnType<TestApp['demo']>>;

  beforeAll(async () => {
    t = await TestApp.start();
    await t.login();
    demo = await t.demo();
  });
  afterAll(() => t?.close());

  async function register(title: string) {
    const res = await t.call('POST', '/nominations', {
      campaignId: demo.campaignId,
      unitId: demo.districtId,
      title,
      description: 'Vận động người dân hiến đất làm đường giao thông nông thôn.',
      field: 'economic',
      kind: 'collective',
      nomineeName: 'Ban Mặt trận thôn 2',
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function openTask(id: string) {
    const tasks = (await t.call('GET', `/tasks?nominationId=${id}`)).body;
    expect(tasks).toHaveLength(1);
    return tasks[0];
  }

  it('runs a revision loop: request, refuse decisions meanwhile, resubmit, decide again', async () => {
    const id = await register('Mô hình "Hiến đất làm đường"');
    const first = await openTask(id);
    const noComment = await t.call('POST', `/tasks/${first.id}/decision`, { decision: 'request_revision' });
    expect(noComment).toMatchObject({
      status: 422,
      body: { message: 'comment is required when requesting a revision' },
    });

    const asked = await t.call('POST', `/tasks/${first.id}/decision`, {
      decision: 'request_revision',
      comment: 'Bổ sung số hộ tham gia',
    });
    expect(asked).toMatchObject({ status: 200, body: { stage: 'district_registration' } });
    const revision = await openTask(id);
    expect(revision).toMatchObject({ kind: 'revision', assigneeRole: 'submitter', allowedDecisions: [] });
    const meanwhile = await t.call('POST', `/tasks/${revision.id}/decision`, { decision: 'accept' });
    expect(meanwhile).toMatchObject({
      status: 409,
      body: { message: 'the nomination is waiting for its submitter to revise it' },
    });

    const bad = await t.call('POST', `/nominations/${id}/resubmit`, { field: 'sports' });
    expect(bad.status).toBe(400);
    const resubmitted = await t.call('POST', `/nominations/${id}/resubmit`, {
      description: 'Vận động 126 hộ hiến 3.400 m² đất làm đường.',
      comment: 'Đã bổ sung',
    });
    // Resent (its answer lost), the same resubmission is answered as the first was, and applied once.
    const resent = await t.call('POST', `/nominations/${id}/resubmit`, {
      description: 'Vận động 126 hộ hiến 3.400 m² đất làm đường.',
      comment: 'Đã bổ sung',
    });
    expect(resent).toMatchObject({ status: 200, body: resubmitted.body });
    expect(resubmitted).toMatchObject({
      status: 200,
      body: {
        stage: 'district_registration',
        revisions: 1,
        description: 'Vận động 126 hộ hiến 3.400 m² đất làm đường.',
      },
    });
    const fresh = await openTask(id);
    expect(fresh).toMatchObject({ kind: 'review', stage: 'district_registration' });
    expect((await t.call('POST', `/tasks/${fresh.id}/decision`, { decision: 'accept' })).body.stage).toBe(
      'district_review',
    );
    const again = await t.call('POST', `/nominations/${id}/resubmit`, { title: 'Lần nữa' });
    expect(again).toMatchObject({ status: 409, body: { message: 'no revision has been requested' } });

    const history = (await t.call('GET', `/nominations/${id}/history`)).body;
    expect(history.map((e: { action: string; decision: string | null }) => e.decision ?? e.action)).toEqual([
      'registered',
      'request_revision',
      'resubmitted',
      'accept',
    ]);
  });

  it('answers a retried decision (same task, same Idempotency-Key) with the first answer', async () => {
    const id = await register('Mô hình "Dân vận khéo trong cải cách hành chính"');
    const task = await openTask(id);
    const key = { 'idempotency-key': `decision-${task.id}` };
    const first = await t.call('POST', `/tasks/${task.id}/decision`, { decision: 'accept' }, key);
    const retried = await t.call('POST', `/tasks/${task.id}/decision`, { decision: 'accept' }, key);
    expect(first.status).toBe(200);
    expect(retried).toEqual({ ...first, headers: retried.headers });
    const other = await t.call('POST', `/tasks/${task.id}/decision`, { decision: 'reject' });
    expect(other).toMatchObject({ status: 409, body: { message: 'this task has already been decided' } });
    const decisions = (await t.call('GET', `/nominations/${id}/history`)).body.filter(
      (e: { action: string }) => e.action === 'decided',
    );
    expect(decisions).toHaveLength(1);
  });

  it('withdraws with a reason, once', async () => {
    const id = await register('Mô hình "Tổ hòa giải cơ sở"');
    const task = await openTask(id);
    expect((await t.call('POST', `/nominations/${id}/withdraw`, { reason: '' })).status).toBe(400);
    const withdrawn = await t.call('POST', `/nominations/${id}/withdraw`, {
      reason: 'Trùng với mô hình đã đăng ký',
    });
    expect(withdrawn).toMatchObject({ status: 200, body: { stage: 'closed', outcome: 'withdrawn' } });
    expect(
      (await t.call('GET', `/tasks?nominationId=${id}&status=cancelled`)).body.map(
        (x: { id: string }) => x.id,
      ),
    ).toEqual([task.id]);
    const resent = await t.call('POST', `/nominations/${id}/withdraw`, {
      reason: 'Trùng với mô hình đã đăng ký',
    });
    expect(resent).toMatchObject({ status: 200, body: withdrawn.body });
    const twice = await t.call('POST', `/nominations/${id}/withdraw`, { reason: 'Lần nữa' });
    expect(twice).toMatchObject({ status: 409, body: { message: 'the nomination is closed' } });
    const last = (await t.call('GET', `/nominations/${id}/history`)).body.at(-1);
    expect(last).toMatchObject({
      action: 'withdrawn',
      comment: 'Trùng với mô hình đã đăng ký',
      actor: { type: 'user' },
    });
  });

  it('refuses an impossible calendar with 422 naming the field, and moves in-flight nominations with a valid one', async () => {
    const id = await register('Mô hình "Camera an ninh thôn"');
    const task = await openTask(id);
    const campaign = (await t.call('GET', `/campaigns/${demo.campaignId}`)).body;

    const broken = structuredClone(campaign.calendar);
    broken.stages.district_review.cutoffAt = new Date(
      Date.parse(broken.stages.district_review.dueAt) - 1000,
    ).toISOString();
    delete broken.stages.recognition;
    const refused = await t.call('PATCH', `/campaigns/${demo.campaignId}/calendar`, broken);
    expect(refused.status).toBe(422);
    expect(refused.body.message).toContain(
      'calendar.stages.district_review.cutoffAt must not be before dueAt',
    );
    expect(refused.body.message).toContain('calendar.stages.recognition is required');

    const moved = structuredClone(campaign.calendar);
    const newDue = new Date(
      Date.parse(moved.stages.district_registration.dueAt) + 7 * 86_400_000,
    ).toISOString();
    moved.stages.district_registration.dueAt = newDue;
    moved.stages.district_registration.cutoffAt = newDue;
    const [{ open }] = await t.db.dataSource.query(
      `SELECT count(*)::int AS open FROM nominations WHERE campaign_id = $1 AND stage <> 'closed'`,
      [demo.campaignId],
    );
    const changed = await t.call('PATCH', `/campaigns/${demo.campaignId}/calendar`, moved);
    expect(changed.status).toBe(200);
    expect(changed.body.signalled).toBe(open); // every nomination still open is told, this one among them
    expect(
      (await t.call('GET', `/campaigns/${demo.campaignId}`)).body.calendar.stages.district_registration.dueAt,
    ).toBe(newDue);

    // The signal is delivered asynchronously: wait for the workflow to have recorded the change.
    await t.stepsRecorded(id, 'deadline_changed');
    const history: { action: string; actor: { type: string } }[] = (
      await t.call('GET', `/nominations/${id}/history`)
    ).body;
    expect(history.find((e) => e.action === 'deadline_changed')).toMatchObject({ actor: { type: 'system' } });
    const [row] = await t.db.dataSource.query('SELECT due_at FROM tasks WHERE id = $1', [task.id]);
    expect(row.due_at.toISOString()).toBe(newDue);
  });

  it('lets an admin extend one nomination’s deadline and cancel another, each audited; not a submitter', async () => {
    const id = await register('Mô hình "Thùng rác thông minh"');
    const task = await openTask(id);
    const dueAt = new Date(Date.parse(task.dueAt) + 3 * 86_400_000).toISOString();
    const cutoffAt = new Date(Date.parse(task.cutoffAt) + 3 * 86_400_000).toISOString();
    const extended = await t.call('POST', `/nominations/${id}/deadline`, {
      dueAt,
      cutoffAt,
      reason: 'Mưa bão',
    });
    expect(extended.status).toBe(200);
    expect(await openTask(id)).toMatchObject({ id: task.id, dueAt, cutoffAt });
    const earlier = await t.call('POST', `/nominations/${id}/deadline`, {
      dueAt: task.dueAt,
      cutoffAt: task.cutoffAt,
      reason: 'Rút ngắn',
    });
    expect(earlier).toMatchObject({
      status: 422,
      body: { message: expect.stringMatching(/^an extension cannot move/) },
    });

    await t.login('demo.submitter', 'demo-password');
    expect((await t.call('POST', `/nominations/${id}/cancel`, { reason: 'x' })).status).toBe(404); // another unit's
    await t.login();
    const cancelled = await t.call('POST', `/nominations/${id}/cancel`, { reason: 'Hồ sơ trùng lặp' });
    expect(cancelled).toMatchObject({ status: 200, body: { stage: 'closed', outcome: 'withdrawn' } });
    const history = (await t.call('GET', `/nominations/${id}/history`)).body;
    expect(history.map((e: { action: string }) => e.action)).toEqual([
      'registered',
      'deadline_extended',
      'cancelled',
    ]);
    expect(history[2]).toMatchObject({ comment: 'Hồ sơ trùng lặp', actor: { type: 'user', role: 'admin' } });
  });
});
