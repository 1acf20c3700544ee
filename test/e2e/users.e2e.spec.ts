import { randomUUID } from 'node:crypto';
import { createUser } from '../support/fixtures';
import { E2E_ADMIN, TestApp } from '../support/http-app';

const USER_KEYS = ['active', 'createdAt', 'displayName', 'email', 'id', 'role', 'unitId', 'username'];

/**
 * User accounts over HTTP: administrators create and manage the users of their own unit and the units
 * under it (anything outside is answered as unknown), everyone changes their own profile, and a
 * deactivated user is locked out at once.
 */
describe('users over HTTP', () => {
  let t: TestApp;
  let units: Record<string, string>;
  /** The district administrator of Huyện Đức Linh, made through the API. */
  let ducLinhAdmin: { id: string; token: string };

  beforeAll(async () => {
    // Many sign-ins from one address here: the per-address limit is not what this file tests.
    t = await TestApp.start({ LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '1000' });
    await t.login();
    const rows: { id: string; name: string }[] = await t.db.dataSource.query(
      `SELECT id, name FROM units WHERE name = ANY($1)`,
      [
        [
          'Tỉnh Bình Thuận',
          'Huyện Đức Linh',
          'Xã Nam Chính',
          'Thị trấn Võ Xu',
          'Huyện Tánh Linh',
          'Thị trấn Lạc Tánh',
        ],
      ],
    );
    units = Object.fromEntries(rows.map((r) => [r.name, r.id]));
  });

  afterAll(() => t?.close());

  const call = (...args: Parameters<TestApp['call']>) => t.call(...args);
  const as =
    (token: string) =>
    (method: string, path: string, body?: unknown): ReturnType<TestApp['call']> =>
      t.call(method, path, body, { authorization: `Bearer ${token}` });
  const signIn = async (username: string, password: string): Promise<string> => {
    const res = await call('POST', '/auth/login', { username, password });
    expect({ username, status: res.status }).toEqual({ username, status: 200 });
    return res.body.accessToken;
  };
  const userId = async (username: string): Promise<string> =>
    (await t.db.dataSource.query(`SELECT id FROM users WHERE username = $1`, [username]))[0].id;
  const refused = async (
    res: Awaited<ReturnType<TestApp['call']>>,
    status: number,
    message: string | RegExp,
  ) => {
    expect({ status: res.status, message: res.body.message }).toEqual({
      status,
      message: typeof message === 'string' ? message : expect.stringMatching(message),
    });
  };

  it('creates a user of each role at a unit of a fitting level, never returning the hash', async () => {
    const cases = [
      { username: 'tinh.admin', role: 'admin', unit: 'Tỉnh Bình Thuận' },
      { username: 'tinh.xet.duyet', role: 'provincial_reviewer', unit: 'Tỉnh Bình Thuận' },
      { username: 'duclinh.admin', role: 'admin', unit: 'Huyện Đức Linh' },
      { username: 'duclinh.xet.duyet', role: 'district_reviewer', unit: 'Huyện Đức Linh' },
      { username: 'duclinh.nop', role: 'submitter', unit: 'Huyện Đức Linh' },
      { username: 'namchinh.nop', role: 'submitter', unit: 'Xã Nam Chính' },
      { username: 'lactanh.nop', role: 'submitter', unit: 'Thị trấn Lạc Tánh' },
    ];
    for (const c of cases) {
      const res = await call('POST', '/users', {
        username: c.username,
        password: `${c.username}-password`,
        displayName: 'Nguyễn Thị Hoa',
        role: c.role,
        unitId: units[c.unit],
      });
      expect({ username: c.username, status: res.status }).toEqual({ username: c.username, status: 201 });
      expect(Object.keys(res.body).sort()).toEqual(USER_KEYS);
      expect(res.body).toEqual({
        id: expect.any(String),
        username: c.username,
        displayName: 'Nguyễn Thị Hoa',
        role: c.role,
        unitId: units[c.unit],
        email: null,
        active: true,
        createdAt: expect.any(String),
      });
      expect(JSON.stringify(res.body)).not.toMatch(/\$2[aby]\$/);
    }
    const [{ password_hash: hash }] = await t.db.dataSource.query(
      `SELECT password_hash FROM users WHERE username = 'duclinh.admin'`,
    );
    expect(hash).toMatch(/^\$2[aby]\$10\$/);

    ducLinhAdmin = {
      id: await userId('duclinh.admin'),
      token: await signIn('duclinh.admin', 'duclinh.admin-password'),
    };
  });

  it('stores the username lower-cased and the display name trimmed and NFC, with an email', async () => {
    const name = 'Trần Văn Đức';
    const res = await call('POST', '/users', {
      username: '  Tran.Van-Duc_2 ',
      password: 'mật khẩu đủ dài',
      displayName: `  ${name.normalize('NFD')} `,
      role: 'submitter',
      unitId: units['Thị trấn Võ Xu'],
      email: ' duc.tv@danvan.binhthuan.example.vn ',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      username: 'tran.van-duc_2',
      displayName: name,
      email: 'duc.tv@danvan.binhthuan.example.vn',
    });
    await signIn('tran.van-duc_2', 'mật khẩu đủ dài');
  });

  it('refuses bad values with a 422 naming the field', async () => {
    const valid = {
      username: 'hop.le',
      password: 'hop-le-password',
      displayName: 'Phạm Hợp Lệ',
      role: 'submitter',
      unitId: units['Xã Nam Chính'],
    };
    const cases: [Record<string, unknown>, string | RegExp][] = [
      [
        { role: 'provincial_reviewer', unitId: units['Huyện Đức Linh'] },
        'role: a provincial_reviewer belongs to a province unit; "Huyện Đức Linh" is a district unit',
      ],
      [
        { role: 'district_reviewer', unitId: units['Xã Nam Chính'] },
        'role: a district_reviewer belongs to a district unit; "Xã Nam Chính" is a grassroots unit',
      ],
      [
        { role: 'submitter', unitId: units['Tỉnh Bình Thuận'] },
        'role: a submitter belongs to a district or grassroots unit; "Tỉnh Bình Thuận" is a province unit',
      ],
      [
        { role: 'admin', unitId: units['Xã Nam Chính'] },
        'role: an admin belongs to a province or district unit; "Xã Nam Chính" is a grassroots unit',
      ],
      [{ role: 'chairman' }, 'role: must be one of submitter, district_reviewer, provincial_reviewer, admin'],
      [{ unitId: randomUUID() }, 'unitId: no unit with this id'],
      [{ password: 'short' }, 'password: must be at least 8 characters'],
      [{ password: 'x'.repeat(201) }, 'password: must be at most 200 characters'],
      [{ username: 'ab' }, 'username: must be 3 to 64 characters'],
      [{ username: 'a'.repeat(65) }, 'username: must be 3 to 64 characters'],
      [{ username: 'nguyễn.hoa' }, /^username: may contain only letters a-z/],
      [{ username: 'nguyen hoa' }, /^username: may contain only letters a-z/],
      [{ displayName: '   ' }, 'displayName: must not be empty'],
      [{ displayName: 'x'.repeat(201) }, 'displayName: must be at most 200 characters'],
      [{ email: 'khong-phai-email' }, 'email: must be an email address'],
      [{ email: `${'a'.repeat(250)}@x.vn` }, 'email: must be at most 254 characters'],
    ];
    for (const [change, message] of cases) {
      const res = await call('POST', '/users', { ...valid, ...change });
      expect({ change, status: res.status, message: res.body.message }).toEqual({
        change,
        status: 422,
        message: typeof message === 'string' ? message : expect.stringMatching(message),
      });
      expect(res.body.error).toBe('Unprocessable Entity');
    }
    const empty = await call('POST', '/users', {});
    await refused(
      empty,
      422,
      'username: is required; password: is required; displayName: is required; role: is required; ' +
        'unitId: is required',
    );
    expect(empty.body.details).toContainEqual({ field: 'unitId', reason: 'is required' });
    // Nothing was created by any of them.
    expect(await t.db.dataSource.query(`SELECT 1 FROM users WHERE username = 'hop.le'`)).toEqual([]);
  });

  it('refuses a deactivated unit', async () => {
    const unit = await call('POST', '/units', {
      name: 'Xã Tạm Ngưng',
      level: 'grassroots',
      parentId: units['Huyện Đức Linh'],
    });
    expect((await call('PATCH', `/units/${unit.body.id}`, { active: false })).status).toBe(200);
    const res = await call('POST', '/users', {
      username: 'tam.ngung',
      password: 'tam-ngung-password',
      displayName: 'Lê Tạm Ngưng',
      role: 'submitter',
      unitId: unit.body.id,
    });
    await refused(res, 422, 'unitId: the unit "Xã Tạm Ngưng" is deactivated');
  });

  it('refuses unknown fields and wrong types with a 400', async () => {
    const extra = await call('POST', '/users', {
      username: 'them.truong',
      password: 'them-truong-password',
      displayName: 'Thêm Trường',
      role: 'admin',
      unitId: units['Huyện Đức Linh'],
      passwordHash: '$2b$10$abc',
    });
    expect(extra.status).toBe(400);
    expect(extra.body.message).toContain('passwordHash');
    expect((await call('POST', '/users', { username: 42 })).status).toBe(400);
    expect((await call('POST', '/users', { unitId: 'not-a-uuid' })).status).toBe(400);
    expect((await call('PATCH', `/users/${ducLinhAdmin.id}`, { role: 'admin' })).status).toBe(400);
    expect((await call('PATCH', `/users/${ducLinhAdmin.id}`, { active: 'no' })).status).toBe(400);
    expect((await call('GET', '/users?role=chairman')).status).toBe(400);
    expect((await call('GET', '/users?active=perhaps')).status).toBe(400);
    expect((await call('GET', '/users?sort=name')).status).toBe(400);
    expect((await call('GET', '/users/not-a-uuid')).status).toBe(400);
  });

  it('refuses a username already taken, whatever its case, with a 409', async () => {
    for (const username of ['duclinh.admin', 'DucLinh.Admin', 'demo.submitter']) {
      const res = await call('POST', '/users', {
        username,
        password: 'trung-ten-password',
        displayName: 'Trùng Tên',
        role: 'submitter',
        unitId: units['Xã Nam Chính'],
      });
      expect({ username, status: res.status, body: res.body }).toEqual({
        username,
        status: 409,
        body: { statusCode: 409, error: 'Conflict', message: 'username: already taken' },
      });
    }
  });

  it('lists users by unit, role, activity and a query ignoring diacritics, sorted by display name', async () => {
    const all = await call('GET', '/users');
    expect(all.status).toBe(200);
    // In the database's order of display names (its collation decides where "Đ" goes).
    const sorted: { id: string }[] = await t.db.dataSource.query(
      `SELECT id FROM users ORDER BY display_name, username`,
    );
    expect(all.body.map((u: { id: string }) => u.id)).toEqual(sorted.map((u) => u.id));
    expect(all.body.map((u: { username: string }) => u.username)).toEqual(
      expect.arrayContaining(['demo.submitter', 'demo.province', E2E_ADMIN.username, 'lactanh.nop']),
    );
    for (const u of all.body) expect(Object.keys(u).sort()).toEqual(USER_KEYS);

    const usernames = async (query: string) => {
      const res = await call('GET', `/users${query}`);
      expect(res.status).toBe(200);
      return (res.body as { username: string }[]).map((u) => u.username).sort();
    };
    expect(await usernames('?q=tran thi hoa')).toEqual(['demo.submitter']);
    expect(await usernames(`?q=${encodeURIComponent('TRẦN THỊ')}`)).toEqual(['demo.submitter']);
    expect(await usernames('?q=DEMO.PROV')).toEqual(['demo.province']);
    expect(await usernames('?q=%25')).toEqual([]);
    expect(await usernames(`?unitId=${units['Thị trấn Võ Xu']}`)).toEqual([
      'demo.submitter',
      'tran.van-duc_2',
    ]);
    expect(await usernames(`?unitId=${units['Huyện Đức Linh']}&role=submitter`)).toEqual([
      'demo.submitter',
      'duclinh.nop',
      'namchinh.nop',
      'tran.van-duc_2',
    ]);
    expect(await usernames('?role=provincial_reviewer&active=true')).toEqual([
      'demo.province',
      'tinh.xet.duyet',
    ]);
    expect(await usernames('?active=false')).toEqual([]);
  });

  it("shows a district admin only its own subtree's users, and nothing outside", async () => {
    const district = as(ducLinhAdmin.token);
    const list = await district('GET', '/users');
    expect(list.status).toBe(200);
    const seen = (list.body as { username: string; unitId: string }[]).map((u) => u.username).sort();
    expect(seen).toEqual([
      'demo.district',
      'demo.submitter',
      'duclinh.admin',
      'duclinh.nop',
      'duclinh.xet.duyet',
      'namchinh.nop',
      'tran.van-duc_2',
    ]);
    // Asking for another district's unit finds nobody rather than its users.
    expect((await district('GET', `/users?unitId=${units['Huyện Tánh Linh']}`)).body).toEqual([]);

    for (const other of ['demo.province', E2E_ADMIN.username, 'lactanh.nop']) {
      const id = await userId(other);
      const res = await district('GET', `/users/${id}`);
      expect({ other, status: res.status, body: res.body }).toEqual({
        other,
        status: 404,
        body: { statusCode: 404, error: 'Not Found', message: 'user not found' },
      });
      expect((await district('PATCH', `/users/${id}`, { displayName: 'Đổi Tên' })).status).toBe(404);
      expect((await district('PATCH', `/users/${id}`, { active: false })).status).toBe(404);
    }
    expect((await district('GET', `/users/${await userId('namchinh.nop')}`)).status).toBe(200);
    expect((await district('GET', `/users/${randomUUID()}`)).status).toBe(404);

    // A unit outside its subtree is answered exactly like one that does not exist.
    const body = {
      username: 'ngoai.pham.vi',
      password: 'ngoai-pham-vi-password',
      displayName: 'Ngoài Phạm Vi',
      role: 'submitter',
    };
    const outside = await district('POST', '/users', { ...body, unitId: units['Thị trấn Lạc Tánh'] });
    const unknown = await district('POST', '/users', { ...body, unitId: randomUUID() });
    expect(outside.status).toBe(422);
    expect(outside.body).toEqual(unknown.body);
    expect(outside.body.message).toBe('unitId: no unit with this id');
    const province = await district('POST', '/users', {
      ...body,
      role: 'provincial_reviewer',
      unitId: units['Tỉnh Bình Thuận'],
    });
    expect(province.body.message).toBe('unitId: no unit with this id');

    const inside = await district('POST', '/users', { ...body, unitId: units['Xã Nam Chính'] });
    expect(inside.status).toBe(201);
  });

  it('lets only an administrator create, list and view other users', async () => {
    const submitter = as(await signIn('demo.submitter', 'demo-password'));
    const create = await submitter('POST', '/users', {
      username: 'tu.tao',
      password: 'tu-tao-password',
      displayName: 'Tự Tạo',
      role: 'admin',
      unitId: units['Huyện Đức Linh'],
    });
    expect(create.status).toBe(403);
    expect(create.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'only an admin may create a user',
    });
    expect((await submitter('GET', '/users')).status).toBe(403);
    expect((await submitter('GET', `/users/${await userId('demo.district')}`)).status).toBe(403);
    const other = await submitter('PATCH', `/users/${await userId('demo.district')}`, { displayName: 'X' });
    expect(other.status).toBe(403);

    const reviewer = as(await signIn('demo.province', 'demo-password'));
    expect((await reviewer('GET', '/users')).status).toBe(403);
    expect((await reviewer('POST', '/users', {})).status).toBe(403);

    const self = await submitter('GET', `/users/${await userId('demo.submitter')}`);
    expect(self.status).toBe(200);
    expect(self.body.username).toBe('demo.submitter');
  });

  it('lets a user change their own display name, email and password, but not whether they are active', async () => {
    const id = await userId('namchinh.nop');
    const me = as(await signIn('namchinh.nop', 'namchinh.nop-password'));

    const renamed = await me('PATCH', `/users/${id}`, {
      displayName: ' Nguyễn Thị Thu Hoa '.normalize('NFD'),
      email: 'hoa.ntt@danvan.binhthuan.example.vn',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      id,
      displayName: 'Nguyễn Thị Thu Hoa',
      email: 'hoa.ntt@danvan.binhthuan.example.vn',
      active: true,
    });
    expect(renamed.body.releasedTasks).toBeUndefined();
    const cleared = await me('PATCH', `/users/${id}`, { email: null });
    expect(cleared.body).toMatchObject({ displayName: 'Nguyễn Thị Thu Hoa', email: null });

    for (const active of [false, true]) {
      const res = await me('PATCH', `/users/${id}`, { active });
      expect(res.status).toBe(403);
      expect(res.body.message).toBe('only an admin may activate or deactivate a user');
    }
    await refused(
      await me('PATCH', `/users/${id}`, { displayName: '' }),
      422,
      'displayName: must not be empty',
    );
    await refused(
      await me('PATCH', `/users/${id}`, { email: 'hoa@' }),
      422,
      'email: must be an email address',
    );

    // Changing one's own password needs the current one.
    await refused(
      await me('PATCH', `/users/${id}`, { password: 'mat-khau-moi-1' }),
      422,
      'currentPassword: is required to change your own password',
    );
    await refused(
      await me('PATCH', `/users/${id}`, { password: 'mat-khau-moi-1', currentPassword: 'doan-sai-roi' }),
      422,
      'currentPassword: is not your current password',
    );
    const changed = await me('PATCH', `/users/${id}`, {
      password: 'mat-khau-moi-1',
      currentPassword: 'namchinh.nop-password',
    });
    expect(changed.status).toBe(200);
    expect(
      (await call('POST', '/auth/login', { username: 'namchinh.nop', password: 'namchinh.nop-password' }))
        .status,
    ).toBe(401);
    await signIn('namchinh.nop', 'mat-khau-moi-1');

    // An administrator sets another user's password without knowing the old one.
    const reset = await call('PATCH', `/users/${id}`, { password: 'dat-lai-boi-admin' });
    expect(reset.status).toBe(200);
    await signIn('namchinh.nop', 'dat-lai-boi-admin');
  });

  it('deactivates a user: sign-in and their existing token refused at once, claims released', async () => {
    const created = await call('POST', '/users', {
      username: 'se.nghi.viec',
      password: 'se-nghi-viec-password',
      displayName: 'Đặng Văn Nghỉ',
      role: 'district_reviewer',
      unitId: units['Huyện Đức Linh'],
    });
    const id = created.body.id;
    const token = await signIn('se.nghi.viec', 'se-nghi-viec-password');
    expect((await as(token)('GET', '/units')).status).toBe(200);

    // The reviewer claims the registration task of a model from Thị trấn Võ Xu.
    const { campaignId } = await t.demo();
    const nomination = await call('POST', '/nominations', {
      campaignId,
      unitId: units['Thị trấn Võ Xu'],
      title: 'Mô hình "Khu phố sáng – xanh – sạch – đẹp"',
      description: 'Người dân tự quản việc giữ gìn vệ sinh khu phố.',
      field: 'culture_society',
      kind: 'collective',
      nomineeName: 'Chi bộ khu phố 3, thị trấn Võ Xu',
    });
    expect(nomination.status).toBe(201);
    const [task] = (await as(token)('GET', `/tasks?nominationId=${nomination.body.id}`)).body;
    expect((await as(token)('POST', `/tasks/${task.id}/claim`)).status).toBe(200);

    // The district admin may deactivate a user of its district.
    const off = await as(ducLinhAdmin.token)('PATCH', `/users/${id}`, { active: false });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ ...created.body, active: false, releasedTasks: 1 });

    const login = await call('POST', '/auth/login', {
      username: 'se.nghi.viec',
      password: 'se-nghi-viec-password',
    });
    expect(login.status).toBe(401);
    expect(login.body.message).toBe('wrong username or password');
    const old = await as(token)('GET', '/units');
    expect(old.status).toBe(401);
    expect(old.body.message).toBe('the bearer token is invalid or expired');

    expect((await call('GET', '/users?active=false')).body.map((u: { id: string }) => u.id)).toEqual([id]);
    // Deactivating again is harmless (and releases anything still held: nothing now).
    expect((await call('PATCH', `/users/${id}`, { active: false })).body.releasedTasks).toBe(0);

    const on = await call('PATCH', `/users/${id}`, { active: true });
    expect(on.status).toBe(200);
    expect(on.body.active).toBe(true);
    expect(on.body.releasedTasks).toBeUndefined();
    await signIn('se.nghi.viec', 'se-nghi-viec-password');
  });

  it('does not let an administrator deactivate themself', async () => {
    const self = await call('PATCH', `/users/${await userId(E2E_ADMIN.username)}`, { active: false });
    expect(self.status).toBe(409);
    expect(self.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'an admin may not deactivate themself',
    });
    const district = await as(ducLinhAdmin.token)('PATCH', `/users/${ducLinhAdmin.id}`, { active: false });
    expect(district.status).toBe(409);
    expect((await as(ducLinhAdmin.token)('GET', '/users')).status).toBe(200);
  });

  it('does not reactivate a user of a deactivated unit', async () => {
    const unit = await call('POST', '/units', {
      name: 'Xã Sắp Giải Thể',
      level: 'grassroots',
      parentId: units['Huyện Đức Linh'],
    });
    const user = await createUser(t.db.dataSource, {
      username: 'giai.the',
      displayName: 'Hồ Văn Thể',
      role: 'submitter',
      unitId: unit.body.id,
      active: false,
    });
    expect((await call('PATCH', `/units/${unit.body.id}`, { active: false })).status).toBe(200);
    await refused(
      await call('PATCH', `/users/${user.userId}`, { active: true }),
      409,
      `the user's unit "Xã Sắp Giải Thể" is deactivated; reactivate it first`,
    );
  });
});
