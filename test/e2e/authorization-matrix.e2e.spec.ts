import { randomUUID } from 'node:crypto';
import { createUser } from '../support/fixtures';
import { TestApp } from '../support/http-app';

/**
 * Every route × every kind of caller, asserting the exact status: 401 without a valid token, 404 for a
 * resource of another unit (so ids do not leak), 403 for a caller whose role may not do it, and past
 * both checks the route's own answer. Requests that would change something are built so that callers
 * who are allowed get a harmless refusal of the request itself (409/422) instead, except where noted.
 */
const CALLERS = [
  'admin', // province administrator
  'province', // provincial reviewer
  'district', // district reviewer of Huyện Đức Linh (the nomination's district)
  'submitter', // submitter of Thị trấn Võ Xu (the registering unit)
  'otherDistrict', // district reviewer of Huyện Tánh Linh
  'otherSubmitter', // submitter of Xã Gia An (under Tánh Linh)
  'districtAdmin', // administrator of Huyện Đức Linh
  'outsider', // district reviewer in another province
] as const;
type Caller = (typeof CALLERS)[number];
type Row = [method: string, path: string, body: () => unknown, expected: number[]];

describe('authorization matrix', () => {
  let t: TestApp;
  const token: Partial<Record<Caller, string>> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await TestApp.start();
    await t.login();
    token.admin = t.token;
    const [province] = (await t.call('GET', '/units')).body;
    const find = (name: string): string => {
      for (const d of province.children) {
        if (d.name === name) return d.id;
        const g = d.children.find((c: { name: string }) => c.name === name);
        if (g) return g.id;
      }
      throw new Error(name);
    };
    ids.province = province.id;
    ids.ducLinh = find('Huyện Đức Linh');
    ids.voXu = find('Thị trấn Võ Xu');
    ids.campaign = (await t.call('GET', '/campaigns')).body[0].id;
    const ds = t.db.dataSource;
    const [other] = await ds.query(
      `INSERT INTO units (name, level) VALUES ('Tỉnh Ninh Thuận', 'province') RETURNING id`,
    );
    const [ninhHai] = await ds.query(
      `INSERT INTO units (name, level, parent_id) VALUES ('Huyện Ninh Hải', 'district', $1) RETURNING id`,
      [other.id],
    );
    const made: [Caller, string, 'district_reviewer' | 'submitter' | 'admin', string][] = [
      ['otherDistrict', 'm.tanhlinh', 'district_reviewer', find('Huyện Tánh Linh')],
      ['otherSubmitter', 'm.giaan', 'submitter', find('Xã Gia An')],
      ['districtAdmin', 'm.duclinh.admin', 'admin', ids.ducLinh],
      ['outsider', 'm.ninhhai', 'district_reviewer', ninhHai.id],
    ];
    for (const [caller, username, role, unitId] of made) {
      const u = await createUser(ds, {
        username,
        displayName: username,
        role,
        unitId,
        password: 'matrix-password',
      });
      if (caller === 'districtAdmin') ids.districtAdminUser = u.userId;
      if (caller === 'otherDistrict') ids.otherReviewerUser = u.userId;
      token[caller] = (
        await t.call('POST', '/auth/login', { username, password: 'matrix-password' })
      ).body.accessToken;
    }
    for (const [caller, username] of [
      ['province', 'demo.province'],
      ['district', 'demo.district'],
      ['submitter', 'demo.submitter'],
    ] as const) {
      token[caller] = (
        await t.call('POST', '/auth/login', { username, password: 'demo-password' })
      ).body.accessToken;
    }
    // A colleague of the district's reviewers who is none of the callers.
    ids.colleague = (
      await createUser(ds, {
        username: 'm.colleague',
        displayName: 'Đồng nghiệp',
        role: 'district_reviewer',
        unitId: ids.ducLinh,
      })
    ).userId;

    const register = async () => {
      const res = await t.call('POST', '/nominations', {
        campaignId: ids.campaign,
        unitId: ids.voXu,
        title: 'Mô hình "Dân vận khéo" ở khu phố',
        description: 'Mô tả.',
        field: 'political_system',
        kind: 'collective',
        nomineeName: 'Chi bộ khu phố 1',
      });
      expect({ status: res.status, body: res.body }).toMatchObject({
        status: 201,
        body: { id: expect.any(String) },
      });
      return res.body.id as string;
    };
    ids.nomination = await register();
    const tasks = await t.call('GET', `/tasks?nominationId=${ids.nomination}`);
    expect({ status: tasks.status, length: tasks.body.length }).toEqual({ status: 200, length: 1 });
    ids.task = tasks.body[0].id;
    for (const caller of ['admin', 'submitter', 'districtAdmin'])
      ids[`withdraw:${caller}`] = await register();
  });
  afterAll(() => t?.close());

  const N = () => ids.nomination;
  const T = () => ids.task;
  const none = () => undefined;
  /** `/tasks/:task/claim` → `/tasks/<the task's id>/claim`. */
  const resolve = (path: string) => path.replace(/:(\w+)/g, (_, name: string) => ids[name]);

  // Expected status per caller, in the order of CALLERS.
  const rows: Row[] = [
    ['GET', '/nominations/:nomination', none, [200, 200, 200, 200, 404, 404, 200, 404]],
    ['GET', '/nominations/:nomination/history', none, [200, 200, 200, 200, 404, 404, 200, 404]],
    ['GET', '/nominations', none, [200, 200, 200, 200, 200, 200, 200, 200]],
    // Registering: reviewers may not; the others reach the campaign check (an unknown campaign).
    [
      'POST',
      '/nominations',
      () => ({
        campaignId: randomUUID(),
        unitId: ids.voXu,
        title: 'x',
        description: 'x',
        field: 'economic',
        kind: 'collective',
        nomineeName: 'x',
      }),
      [422, 403, 403, 422, 403, 422, 422, 403],
    ],
    // Not in revision: the submitting unit and admins reach the workflow's state check (409).
    ['POST', '/nominations/:nomination/resubmit', () => ({}), [409, 403, 403, 409, 404, 404, 409, 404]],
    // Dates earlier than the task's: the admins over the task reach the workflow's 422.
    [
      'POST',
      '/nominations/:nomination/deadline',
      () => ({ dueAt: '2020-01-01T00:00:00Z', cutoffAt: '2020-01-02T00:00:00Z', reason: 'x' }),
      [422, 403, 403, 403, 404, 404, 422, 404],
    ],
    // A decision the stage does not allow: who may decide gets the workflow's 422.
    [
      'POST',
      '/tasks/:task/decision',
      () => ({ decision: 'propose' }),
      [422, 403, 422, 403, 404, 404, 422, 404],
    ],
    ['POST', '/tasks/:task/unclaim', none, [409, 403, 403, 403, 404, 404, 409, 404]],
    // Reassigning to a reviewer of another district: admins reach the workflow's 422 (or, below the
    // province, do not see that user at all).
    [
      'POST',
      '/tasks/:task/reassign',
      () => ({ userId: ids.otherReviewerUser }),
      [422, 403, 403, 403, 404, 404, 422, 404],
    ],
    ['GET', '/tasks', none, [200, 200, 200, 200, 200, 200, 200, 200]],
    ['GET', '/campaigns', none, [200, 200, 200, 200, 200, 200, 200, 200]],
    ['GET', '/campaigns/:campaign', none, [200, 200, 200, 200, 200, 200, 200, 404]],
    ['GET', '/campaigns/:campaign/units', none, [200, 200, 403, 403, 403, 403, 403, 404]],
    ['GET', '/campaigns/:campaign/events', none, [200, 200, 403, 403, 403, 403, 403, 404]],
    ['PATCH', '/campaigns/:campaign/calendar', () => ({}), [422, 403, 403, 403, 403, 403, 403, 404]],
    [
      'PATCH',
      '/campaigns/:campaign/quotas',
      () => ({ quotas: { perUnit: -1 } }),
      [422, 403, 403, 403, 403, 403, 403, 404],
    ],
    [
      'POST',
      '/campaigns',
      () => ({ name: 'x', year: 2099, provinceUnitId: ids.province, calendar: {} }),
      [422, 403, 403, 403, 403, 403, 422, 403],
    ],
    ['GET', '/pipeline/summary?campaignId=:campaign', none, [200, 200, 403, 403, 403, 403, 403, 404]],
    ['GET', '/pipeline/stuck?campaignId=:campaign', none, [200, 200, 403, 403, 403, 403, 403, 404]],
    ['GET', '/campaigns/:campaign/report', none, [200, 200, 403, 403, 403, 403, 403, 404]],
    ['GET', '/audit', none, [200, 403, 403, 403, 403, 403, 200, 403]],
    ['GET', '/units/:ducLinh', none, [200, 200, 200, 404, 404, 404, 200, 404]],
    ['GET', '/units', none, [200, 200, 200, 200, 200, 200, 200, 200]],
    [
      'POST',
      '/units',
      () => ({ name: '   ', level: 'grassroots', parentId: ids.ducLinh }),
      [422, 403, 403, 403, 403, 403, 422, 403],
    ],
    ['PATCH', '/units/:ducLinh', () => ({ name: '   ' }), [422, 403, 403, 403, 403, 403, 422, 403]],
    ['GET', '/users/:colleague', none, [200, 403, 403, 403, 403, 403, 200, 403]],
    ['GET', '/users', none, [200, 403, 403, 403, 403, 403, 200, 403]],
    ['GET', '/notifications', none, [200, 200, 200, 200, 200, 200, 200, 200]],
    [
      'POST',
      '/absences',
      () => ({
        actingUserId: randomUUID(),
        startsAt: '2026-01-01T00:00:00Z',
        endsAt: '2027-01-01T00:00:00Z',
      }),
      [422, 422, 422, 422, 422, 422, 422, 422],
    ],
  ];

  async function status(caller: Caller | null, method: string, path: string, body: unknown): Promise<number> {
    const authorization = caller ? `Bearer ${token[caller]}` : 'Bearer not-a-token';
    return (await t.call(method, path, body, { authorization })).status;
  }

  it.each(rows.map((r) => [`${r[0]} ${r[1]}`, r] as const))(
    '%s answers each caller exactly',
    async (_name, [method, path, body, expected]) => {
      const got: Record<string, number> = {};
      for (const caller of CALLERS) got[caller] = await status(caller, method, resolve(path), body());
      got.anonymous = await status(null, method, resolve(path), body());
      const want = Object.fromEntries([...CALLERS.map((c, i) => [c, expected[i]]), ['anonymous', 401]]);
      expect(got).toEqual(want);
    },
  );

  it('withdraws only for the submitting unit and administrators above it; others get 403 or 404', async () => {
    const want: Record<Caller, number> = {
      admin: 200,
      province: 403,
      district: 403,
      submitter: 200,
      otherDistrict: 404,
      otherSubmitter: 404,
      districtAdmin: 200,
      outsider: 404,
    };
    const got: Record<string, number> = {};
    for (const caller of CALLERS) {
      // Each caller who may withdraw does so on a nomination of their own; the others try the shared one.
      const id = ids[`withdraw:${caller}`] ?? N();
      got[caller] = await status(caller, 'POST', `/nominations/${id}/withdraw`, { reason: 'Rút hồ sơ' });
    }
    expect(got).toEqual(want);
    expect(await status(null, 'POST', `/nominations/${N()}/withdraw`, { reason: 'x' })).toBe(401);
  });

  it('claims only for a reviewer of the task’s unit and role', async () => {
    const got: Record<string, number> = {};
    // The one caller who may claim goes last, so that everyone else meets an unclaimed task.
    for (const caller of [...CALLERS.filter((c) => c !== 'district'), 'district' as const]) {
      got[caller] = await status(caller, 'POST', `/tasks/${T()}/claim`, undefined);
    }
    expect(got).toEqual({
      admin: 403,
      province: 403,
      submitter: 403,
      otherDistrict: 404,
      otherSubmitter: 404,
      districtAdmin: 403,
      outsider: 404,
      district: 200,
    });
    expect(await status(null, 'POST', `/tasks/${T()}/claim`, undefined)).toBe(401);
  });
});
