import { TestApp } from '../support/http-app';

/**
 * Over HTTP: a request whose step PostgreSQL refuses (a trigger stands in for data the edge lets through)
 * is answered 422 with the reason, the nomination keeps its stage, and the administrators' stuck list
 * shows it first, with the reason, until a later step is recorded.
 */
describe('a step PostgreSQL refuses, over HTTP', () => {
  let t: TestApp;
  let demo: Awaited<ReturnType<TestApp['demo']>>;

  beforeAll(async () => {
    t = await TestApp.start();
    await t.login();
    demo = await t.demo();
    await t.db.dataSource.query(`
      CREATE FUNCTION refuse_decisions() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action = 'decided' AND NEW.comment = 'refuse me' THEN
          RAISE EXCEPTION 'refused for the test' USING ERRCODE = '22000';
        END IF;
        RETURN NEW;
      END $$`);
    await t.db.dataSource.query(
      `CREATE TRIGGER refuse_decisions BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_decisions()`,
    );
  });
  afterAll(() => t?.close());

  it('answers 422 with the reason, keeps the stage, and lists the nomination first on the stuck list', async () => {
    const created = await t.call('POST', '/nominations', {
      campaignId: demo.campaignId,
      unitId: demo.districtId,
      title: 'Mô hình "Dân vận khéo" giữ gìn an ninh thôn',
      description: 'Tổ tự quản an ninh thôn 3.',
      field: 'defense_security',
      kind: 'collective',
      nomineeName: 'Công an xã Đức Tài',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const [task] = (await t.call('GET', `/tasks?nominationId=${id}`)).body;

    const refused = await t.call('POST', `/tasks/${task.id}/decision`, {
      decision: 'accept',
      comment: 'refuse me',
    });
    expect(refused).toMatchObject({
      status: 422,
      body: { message: 'the decision could not be recorded: refused for the test (SQLSTATE 22000)' },
    });
    expect((await t.call('GET', `/nominations/${id}`)).body.stage).toBe('district_registration');

    const stuck = await t.call('GET', `/pipeline/stuck?campaignId=${demo.campaignId}`);
    expect(stuck.status).toBe(200);
    expect(stuck.body.items[0]).toMatchObject({
      nominationId: id,
      failure: {
        action: 'decided',
        held: false,
        attempts: 1,
        reason: 'refused for the test (SQLSTATE 22000)',
      },
    });
    expect(stuck.body.campaignFailures).toEqual([]);

    const accepted = await t.call('POST', `/tasks/${task.id}/decision`, {
      decision: 'accept',
      comment: 'đủ hồ sơ',
    });
    expect(accepted).toMatchObject({ status: 200, body: { stage: 'district_review' } });
    const after = await t.call('GET', `/pipeline/stuck?campaignId=${demo.campaignId}`);
    expect(after.body.items.find((n: { nominationId: string }) => n.nominationId === id)).toMatchObject({
      failure: null,
    });
    const history = (await t.call('GET', `/nominations/${id}/history`)).body;
    expect(history.map((e: { action: string }) => e.action)).toEqual(['registered', 'decided']);
  });
});
