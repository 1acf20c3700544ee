import { randomUUID } from 'node:crypto';
import { createUser } from '../support/fixtures';
import { type Action, globalActions, may, type Target } from '../../src/domain/access-policy';
import type { Role } from '../../src/domain/nomination';
import { isWithin } from '../../src/units/scope.repository';
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

describe('authorization matrix', () => {
  let t: TestApp;
  const token: Partial<Record<Caller, string>> = {};
  const ids: Record<string, string> = {};
  /** Each caller as `GET /auth/me` describes them: who they are, and what their role may do. */
  const me = {} as Record<Caller, { id: string; role: Role; unitId: string; can: string[] }>;

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
    for (const caller of CALLERS) {
      me[caller] = (
        await t.call('GET', '/auth/me', undefined, { authorization: `Bearer ${token[caller]}` })
      ).body;
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

  /**
   * Each row names the route's action in the access policy and what it aims at; a caller outside the
   * action's scope expects 403, one inside the route's own answer (`pass`). Before both, a resource the
   * caller cannot see at all answers 404 (`seen`: the unit that must lie within the caller's, or the
   * campaign's province the caller must sit within).
   */
  interface Row {
    method: string;
    path: string;
    body?: () => unknown;
    pass: number;
    action?: Action;
    target?: (caller: Caller) => Promise<Target> | Target;
    seen?: (caller: Caller) => Promise<boolean>;
  }
  const reviewTask = () => ({
    assigneeRole: 'district_reviewer',
    assigneeUnitId: ids.ducLinh,
    assigneeUserId: null,
  });
  const sees = (unit: string) => (c: Caller) => isWithin(t.db.dataSource.manager, ids[unit], me[c].unitId);
  const inProvince = (c: Caller) => isWithin(t.db.dataSource.manager, me[c].unitId, ids.province);
  const atProvince = () => ({ unitId: ids.province });
  const overUnit = (unit: string) => async (c: Caller) => ({ inSubtree: await sees(unit)(c) });

  const rows: Row[] = [
    { method: 'GET', path: '/nominations/:nomination', pass: 200, seen: sees('voXu') },
    { method: 'GET', path: '/nominations/:nomination/history', pass: 200, seen: sees('voXu') },
    { method: 'GET', path: '/nominations', pass: 200 },
    // Registering: callers who may reach the campaign check (an unknown campaign).
    {
      method: 'POST',
      path: '/nominations',
      body: () => ({
        campaignId: randomUUID(),
        unitId: ids.voXu,
        title: 'x',
        description: 'x',
        field: 'economic',
        kind: 'collective',
        nomineeName: 'x',
      }),
      pass: 422,
      action: 'nomination.register',
    },
    // Not in revision: who may resubmit reaches the workflow's state check (409).
    {
      method: 'POST',
      path: '/nominations/:nomination/resubmit',
      body: () => ({}),
      pass: 409,
      action: 'nomination.resubmit',
      target: () => ({ unitId: ids.voXu }),
      seen: sees('voXu'),
    },
    // Dates earlier than the task's: the admins over the task reach the workflow's 422.
    {
      method: 'POST',
      path: '/nominations/:nomination/deadline',
      body: () => ({ dueAt: '2020-01-01T00:00:00Z', cutoffAt: '2020-01-02T00:00:00Z', reason: 'x' }),
      pass: 422,
      action: 'nomination.extend',
      target: overUnit('ducLinh'),
      seen: sees('voXu'),
    },
    // A decision the stage does not allow: who may decide gets the workflow's 422.
    {
      method: 'POST',
      path: '/tasks/:task/decision',
      body: () => ({ decision: 'propose' }),
      pass: 422,
      action: 'task.decide',
      target: async (c) => ({ task: reviewTask(), inSubtree: await sees('ducLinh')(c) }),
      seen: sees('voXu'),
    },
    // Nobody holds the task: who may unclaim at all reaches the workflow's 409.
    {
      method: 'POST',
      path: '/tasks/:task/unclaim',
      pass: 409,
      action: 'task.unclaim',
      target: () => ({ task: reviewTask() }),
      seen: sees('voXu'),
    },
    // Reassigning to a reviewer of another district: admins reach the workflow's 422 (or, below the
    // province, do not see that user at all).
    {
      method: 'POST',
      path: '/tasks/:task/reassign',
      body: () => ({ userId: ids.otherReviewerUser }),
      pass: 422,
      action: 'task.reassign',
      seen: sees('voXu'),
    },
    { method: 'GET', path: '/tasks', pass: 200 },
    { method: 'GET', path: '/campaigns', pass: 200 },
    { method: 'GET', path: '/campaigns/:campaign', pass: 200, seen: inProvince },
    ...(['/campaigns/:campaign/units', '/campaigns/:campaign/events'] as const).map((path): Row => ({
      method: 'GET',
      path,
      pass: 200,
      action: 'campaign.watch',
      target: atProvince,
      seen: inProvince,
    })),
    {
      method: 'PATCH',
      path: '/campaigns/:campaign/calendar',
      body: () => ({}),
      pass: 422,
      action: 'campaign.calendar',
      target: atProvince,
      seen: inProvince,
    },
    {
      method: 'PATCH',
      path: '/campaigns/:campaign/quotas',
      body: () => ({ quotas: { perUnit: -1 } }),
      pass: 422,
      action: 'campaign.quotas',
      target: atProvince,
      seen: inProvince,
    },
    {
      method: 'POST',
      path: '/campaigns',
      body: () => ({ name: 'x', year: 2099, provinceUnitId: ids.province, calendar: {} }),
      pass: 422,
      action: 'campaign.create',
    },
    ...(['/pipeline/summary?campaignId=:campaign', '/pipeline/stuck?campaignId=:campaign'] as const).map(
      (path): Row => ({
        method: 'GET',
        path,
        pass: 200,
        action: 'pipeline.view',
        target: atProvince,
        seen: inProvince,
      }),
    ),
    {
      method: 'GET',
      path: '/campaigns/:campaign/report',
      pass: 200,
      action: 'report.view',
      target: atProvince,
      seen: inProvince,
    },
    { method: 'GET', path: '/audit', pass: 200, action: 'audit.view' },
    { method: 'GET', path: '/units/:ducLinh', pass: 200, seen: sees('ducLinh') },
    { method: 'GET', path: '/units', pass: 200 },
    {
      method: 'POST',
      path: '/units',
      body: () => ({ name: '   ', level: 'grassroots', parentId: ids.ducLinh }),
      pass: 422,
      action: 'unit.create',
    },
    {
      method: 'PATCH',
      path: '/units/:ducLinh',
      body: () => ({ name: '   ' }),
      pass: 422,
      action: 'unit.update',
    },
    {
      method: 'GET',
      path: '/users/:colleague',
      pass: 200,
      action: 'user.view',
      target: async (c) => ({ userId: ids.colleague, inSubtree: await sees('ducLinh')(c) }),
    },
    { method: 'GET', path: '/users', pass: 200, action: 'user.list' },
    { method: 'GET', path: '/notifications', pass: 200 },
    // One's own absence, with a colleague who does not exist.
    {
      method: 'POST',
      path: '/absences',
      body: () => ({
        actingUserId: randomUUID(),
        startsAt: '2026-01-01T00:00:00Z',
        endsAt: '2027-01-01T00:00:00Z',
      }),
      pass: 422,
      action: 'absence.create',
      // One's own user lies in one's own subtree.
      target: (c) => ({ userId: me[c].id, inSubtree: true }),
    },
  ];

  /** What the policy says `caller` gets from `row`. */
  async function expectedFor(row: Row, caller: Caller): Promise<number> {
    if (row.seen && !(await row.seen(caller))) return 404;
    if (!row.action) return row.pass;
    const target = row.target ? await row.target(caller) : undefined;
    return may(me[caller], row.action, target) ? row.pass : 403;
  }

  it('tells each caller what their role may do (GET /auth/me), as the policy says', async () => {
    for (const caller of CALLERS) expect(me[caller].can).toEqual(globalActions(me[caller]));
  });

  async function status(caller: Caller | null, method: string, path: string, body: unknown): Promise<number> {
    const authorization = caller ? `Bearer ${token[caller]}` : 'Bearer not-a-token';
    return (await t.call(method, path, body, { authorization })).status;
  }

  it.each(rows.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s answers each caller as the access policy says',
    async (_name, row) => {
      const body = row.body ?? none;
      const got: Record<string, number> = {};
      const want: Record<string, number> = { anonymous: 401 };
      for (const caller of CALLERS) {
        got[caller] = await status(caller, row.method, resolve(row.path), body());
        want[caller] = await expectedFor(row, caller);
      }
      got.anonymous = await status(null, row.method, resolve(row.path), body());
      expect(got).toEqual(want);
    },
  );

  it('withdraws only for the submitting unit and administrators above it; others get 403 or 404', async () => {
    const row: Row = {
      method: 'POST',
      path: '/nominations/:nomination/withdraw',
      pass: 200,
      action: 'nomination.withdraw',
      target: () => ({ unitId: ids.voXu }),
      seen: sees('voXu'),
    };
    const got: Record<string, number> = {};
    const want: Record<string, number> = {};
    for (const caller of CALLERS) {
      want[caller] = await expectedFor(row, caller);
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
    const row: Row = {
      method: 'POST',
      path: '/tasks/:task/claim',
      pass: 200,
      action: 'task.claim',
      target: () => ({ task: reviewTask() }),
      seen: sees('voXu'),
    };
    const want: Record<string, number> = {};
    for (const caller of [...CALLERS.filter((c) => c !== 'district'), 'district' as const]) {
      want[caller] = await expectedFor(row, caller);
      got[caller] = await status(caller, 'POST', `/tasks/${T()}/claim`, undefined);
    }
    // The policy's answer for this setting, and that exactly one caller got the task.
    expect(got).toEqual(want);
    expect(Object.values(got).filter((s) => s === 200)).toHaveLength(1);
    expect(await status(null, 'POST', `/tasks/${T()}/claim`, undefined)).toBe(401);
  });
});
