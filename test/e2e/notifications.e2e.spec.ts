import { randomUUID } from 'node:crypto';
import { nominationWorkflowId } from '../../src/domain/nomination';
import { E2E_ADMIN, TestApp } from '../support/http-app';

/**
 * GET /notifications and POST /notifications/:id/read through HTTP against the application as `npm start`
 * runs it. The rows are written with SQL as the workflow's activity writes them: producing a reminder
 * through the workflow needs the time-skipping server (test/workflow covers that part).
 */
describe('notifications over HTTP', () => {
  let t: TestApp;
  let admin: { id: string; unitId: string };
  let districtId: string;
  let nominationId: string;
  let workflowId: string;
  let seq = 0;

  const call = (...args: Parameters<TestApp['call']>) => t.call(...args);

  async function notify(unitId: string, role: string, message: string, createdAt: string): Promise<string> {
    const [row] = await t.db.dataSource.query(
      `INSERT INTO notifications (workflow_id, seq, idx, nomination_id, recipient_unit_id, recipient_role, kind,
                                  message, created_at)
       VALUES ($1, $2, 0, $3, $4, $5, 'reminder', $6, $7) RETURNING id`,
      [workflowId, ++seq, nominationId, unitId, role, message, createdAt],
    );
    return row.id;
  }

  let oldest: string;
  let middle: string;
  let newest: string;

  beforeAll(async () => {
    t = await TestApp.start();
    await t.login();
    const demo = await t.demo();
    districtId = demo.districtId;
    [admin] = await t.db.dataSource.query(`SELECT id, unit_id AS "unitId" FROM users WHERE username = $1`, [
      E2E_ADMIN.username,
    ]);
    nominationId = randomUUID();
    workflowId = nominationWorkflowId(nominationId);
    await t.db.dataSource.query(
      `INSERT INTO nominations (id, campaign_id, unit_id, district_unit_id, title, description, field, kind,
                                nominee_name, stage, workflow_id, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $3, 'Tuyến đường tự quản', 'Giữ sạch tuyến đường ven biển', 'culture_society',
               'collective', 'Hội Phụ nữ xã Hàm Tiến', 'provincial_review', $4, $5, now(), now())`,
      [nominationId, demo.campaignId, districtId, workflowId, admin.id],
    );
    oldest = await notify(admin.unitId, 'admin', '"Tuyến đường tự quản": quá hạn.', '2026-10-01T08:00:00Z');
    middle = await notify(admin.unitId, 'admin', 'Còn 72 giờ đến hạn.', '2026-10-02T08:00:00Z');
    newest = await notify(admin.unitId, 'admin', 'Còn 24 giờ đến hạn.', '2026-10-03T08:00:00Z');
    // Addressed to others: the district's administrators, and the province's reviewers.
    await notify(districtId, 'admin', 'Huyện: quá hạn.', '2026-10-04T08:00:00Z');
    await notify(admin.unitId, 'provincial_reviewer', 'Người thẩm định: còn 24 giờ.', '2026-10-04T08:00:00Z');
  });

  afterAll(async () => {
    await t?.close();
  });

  const ids = (body: { id: string }[]) => body.map((n) => n.id);

  it("lists the caller's notifications, newest first, and no one else's", async () => {
    const res = await call('GET', '/notifications');
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([newest, middle, oldest]);
    expect(res.body[0]).toEqual({
      id: newest,
      nominationId,
      campaignId: null,
      kind: 'reminder',
      message: 'Còn 24 giờ đến hạn.',
      createdAt: '2026-10-03T08:00:00.000Z',
      readAt: null,
    });
  });

  it('pages with limit and the before cursor', async () => {
    const first = await call('GET', '/notifications?limit=2');
    expect(ids(first.body)).toEqual([newest, middle]);
    const next = await call('GET', `/notifications?limit=2&before=${middle}`);
    expect(ids(next.body)).toEqual([oldest]);
    expect((await call('GET', `/notifications?before=${oldest}`)).body).toEqual([]);

    for (const query of ['limit=0', 'limit=101', 'limit=ten', 'before=abc', 'unread=yes']) {
      const bad = await call('GET', `/notifications?${query}`);
      expect({ query, status: bad.status }).toEqual({ query, status: 400 });
    }
    expect((await call('GET', '/notifications?limit=101&before=abc&unread=yes')).body.message).toBe(
      'unread must be true or false; limit must not be greater than 100; before must be a notification id (a positive integer)',
    );
  });

  it('marks one read, keeps the first time on a second mark, and filters with unread=true', async () => {
    const read = await call('POST', `/notifications/${middle}/read`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: middle, readAt: expect.any(String) });
    const again = await call('POST', `/notifications/${middle}/read`);
    expect(again.body.readAt).toBe(read.body.readAt);

    expect(ids((await call('GET', '/notifications?unread=true')).body)).toEqual([newest, oldest]);
    expect(ids((await call('GET', '/notifications?unread=false')).body)).toEqual([newest, middle, oldest]);
    const all = (await call('GET', '/notifications')).body;
    expect(all[1]).toMatchObject({ id: middle, readAt: read.body.readAt });
  });

  it("answers 404 for another unit's notification or an unknown one, and marks nothing", async () => {
    const [other] = await t.db.dataSource.query(`SELECT id FROM notifications WHERE recipient_unit_id = $1`, [
      districtId,
    ]);
    expect((await call('POST', `/notifications/${other.id}/read`)).status).toBe(404);
    expect((await call('POST', '/notifications/999999999/read')).status).toBe(404);
    expect((await call('POST', '/notifications/not-an-id/read')).status).toBe(400);
    const [{ read_at }] = await t.db.dataSource.query(`SELECT read_at FROM notifications WHERE id = $1`, [
      other.id,
    ]);
    expect(read_at).toBeNull();
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await call('GET', '/docs-json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/notifications', '/notifications/{id}/read']),
    );
  });

  it('is closed to anonymous callers', async () => {
    const bad = { authorization: 'Bearer not-a-token' };
    expect((await call('GET', '/notifications', undefined, bad)).status).toBe(401);
    expect((await call('POST', `/notifications/${newest}/read`, undefined, bad)).status).toBe(401);
    const token = t.token;
    t.token = undefined;
    try {
      expect((await call('GET', '/notifications')).status).toBe(401);
      expect((await call('POST', `/notifications/${newest}/read`)).status).toBe(401);
    } finally {
      t.token = token;
    }
    const [{ read_at }] = await t.db.dataSource.query(`SELECT read_at FROM notifications WHERE id = $1`, [
      newest,
    ]);
    expect(read_at).toBeNull();
  });

  it("renders a notice kept as its template in the reader's language; an old text stays as written", async () => {
    const [{ id }] = await t.db.dataSource.query(
      `INSERT INTO notifications (workflow_id, seq, idx, nomination_id, recipient_unit_id, recipient_role, kind,
                                  template, params, created_at)
       VALUES ($1, $2, 0, $3, $4, 'admin', 'escalated', 'task_overdue', $5, '2026-10-05T08:00:00Z') RETURNING id`,
      [
        workflowId,
        ++seq,
        nominationId,
        admin.unitId,
        JSON.stringify({
          title: 'Tuyến đường tự quản',
          stage: 'provincial_review',
          revision: false,
          dueAt: '2026-10-04T00:00:00.000Z',
          lateHours: 24,
        }),
      ],
    );
    const vi = '"Tuyến đường tự quản" (provincial_review): quá hạn 2026-10-04T00:00:00.000Z (24 giờ).';
    const en =
      '"Tuyến đường tự quản" (Provincial review): overdue since 2026-10-04T00:00:00.000Z (24 hours).';
    const first = async (query: string, headers: Record<string, string> = {}) => {
      const res = await call('GET', `/notifications${query}`, undefined, headers);
      expect(res.status).toBe(200);
      return res.body as { id: string; message: string }[];
    };
    expect((await first(''))[0]).toMatchObject({ id, kind: 'escalated', message: vi });
    expect((await first('?lang=vi'))[0].message).toBe(vi);
    expect((await first('?lang=en'))[0].message).toBe(en);
    expect((await first('', { 'accept-language': 'en-US,en;q=0.9' }))[0].message).toBe(en);
    expect((await first('', { 'accept-language': 'fr' }))[0].message).toBe(vi);
    // ?lang= wins over the header.
    expect((await first('?lang=vi', { 'accept-language': 'en' }))[0].message).toBe(vi);
    // A notice written before templates reads as it was written, in either language.
    expect((await first('?lang=en')).find((n) => n.id === newest)?.message).toBe('Còn 24 giờ đến hạn.');
    expect((await call('GET', '/notifications?lang=fr')).status).toBe(400);
    const read = await call('POST', `/notifications/${id}/read?lang=en`);
    expect(read).toMatchObject({ status: 200, body: { id, message: en } });
  });
});
