import { randomUUID } from 'node:crypto';
import { createUser } from '../support/fixtures';
import { E2E_ADMIN, TestApp } from '../support/http-app';

interface Node {
  id: string;
  name: string;
  level: string;
  parentId: string | null;
  active: boolean;
  children: Node[];
}

/** Every unit of the tree, depth first. */
const flatten = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);

/**
 * The organisation tree over HTTP: search without diacritics, administrators creating, renaming,
 * deactivating and deleting units, and the rules that keep history intact.
 */
describe('units over HTTP', () => {
  let t: TestApp;
  let provinceId: string;
  let campaignId: string;
  let ducLinhId: string;
  let districtId: string;
  let grassrootsId: string;
  let nominationId: string;

  beforeAll(async () => {
    t = await TestApp.start();
    await t.login();
    ({ provinceId, campaignId, districtId: ducLinhId } = await t.demo());
  });

  afterAll(() => t?.close());

  const call = (...args: Parameters<TestApp['call']>) => t.call(...args);
  const tree = async (query = ''): Promise<Node[]> => {
    const res = await call('GET', `/units${query}`);
    expect(res.status).toBe(200);
    return flatten(res.body);
  };
  const search = async (q: string, extra = '') => {
    const res = await call('GET', `/units?q=${encodeURIComponent(q)}${extra}`);
    expect(res.status).toBe(200);
    return res.body as { id: string; name: string; level: string; path: string[]; active: boolean }[];
  };

  it('finds units ignoring diacritics and case, each with its path from the root', async () => {
    const [first] = await search('ham thuan bac');
    expect(first).toEqual({
      id: expect.any(String),
      name: 'Huyện Hàm Thuận Bắc',
      level: 'district',
      parentId: provinceId,
      active: true,
      path: ['Tỉnh Bình Thuận', 'Huyện Hàm Thuận Bắc'],
    });
    for (const q of ['duc linh', 'DUC LINH', 'Đức Linh', 'đức linh'.normalize('NFD'), '  Duc Linh ']) {
      const found = await search(q);
      expect({ q, first: found[0]?.name }).toEqual({ q, first: 'Huyện Đức Linh' });
      // The party cell of the district's military command is found too, after the district itself.
      expect(found.map((u) => u.name)).toContain('Chi bộ Ban Chỉ huy Quân sự huyện Đức Linh');
    }
    const grassroots = await search('duc', '&level=grassroots');
    expect(grassroots.length).toBeGreaterThan(0);
    expect(grassroots.every((u) => u.level === 'grassroots')).toBe(true);
    expect(grassroots.find((u) => u.name === 'Phường Đức Nghĩa')?.path).toEqual([
      'Tỉnh Bình Thuận',
      'Thành phố Phan Thiết',
      'Phường Đức Nghĩa',
    ]);
  });

  it('treats LIKE wildcards in the query as plain characters', async () => {
    expect(await search('%')).toEqual([]);
    expect(await search('_')).toEqual([]);
    expect(await search('duc%linh')).toEqual([]);
    expect(await search('\\')).toEqual([]);
  });

  it('rejects malformed queries with a 400', async () => {
    expect((await call('GET', `/units?q=${'a'.repeat(201)}`)).status).toBe(400);
    expect((await call('GET', '/units?level=city')).status).toBe(400);
    expect((await call('GET', '/units?includeInactive=perhaps')).status).toBe(400);
    expect((await call('GET', '/units?sort=name')).status).toBe(400);
  });

  it('shows the tree down to a level', async () => {
    const units = await tree('?level=district');
    expect(units).toHaveLength(15);
    expect(units.every((u) => u.level !== 'grassroots')).toBe(true);
  });

  it('gives one unit with its path, 404 for an unknown one', async () => {
    const res = await call('GET', `/units/${ducLinhId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: ducLinhId,
      name: 'Huyện Đức Linh',
      level: 'district',
      parentId: provinceId,
      active: true,
      path: ['Tỉnh Bình Thuận', 'Huyện Đức Linh'],
    });
    const missing = await call('GET', `/units/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'unit not found' });
    expect((await call('GET', '/units/not-a-uuid')).status).toBe(400);
  });

  it('creates a district-level unit and a grassroots unit under it, names stored exactly (NFC)', async () => {
    const district = await call('POST', '/units', {
      name: '  Đảng ủy Khối Dân vận tỉnh  ',
      level: 'district',
      parentId: provinceId,
    });
    expect(district.status).toBe(201);
    expect(district.body).toEqual({
      id: expect.any(String),
      name: 'Đảng ủy Khối Dân vận tỉnh',
      level: 'district',
      parentId: provinceId,
      active: true,
      path: ['Tỉnh Bình Thuận', 'Đảng ủy Khối Dân vận tỉnh'],
    });
    districtId = district.body.id;

    // Sent decomposed (as some keyboards produce it), stored precomposed.
    const name = 'Chi bộ Ấp Đồng Sơn – "Dân vận khéo"';
    const grassroots = await call('POST', '/units', {
      name: name.normalize('NFD'),
      level: 'grassroots',
      parentId: districtId,
    });
    expect(grassroots.status).toBe(201);
    expect(grassroots.body.name).toBe(name);
    expect(grassroots.body.path).toEqual(['Tỉnh Bình Thuận', 'Đảng ủy Khối Dân vận tỉnh', name]);
    grassrootsId = grassroots.body.id;

    const units = await tree();
    expect(units.find((u) => u.id === districtId)?.children.map((c) => c.name)).toEqual([name]);
    expect((await call('GET', `/units/${grassrootsId}`)).body.name).toBe(name);
    expect((await search('dong son'))[0]).toMatchObject({ id: grassrootsId, name });

    // The same name under another parent is another unit.
    const elsewhere = await call('POST', '/units', {
      name: 'Xã Tân Bình',
      level: 'grassroots',
      parentId: ducLinhId,
    });
    expect(elsewhere.status).toBe(201);
  });

  it('refuses invalid units with a 422 naming the field', async () => {
    const refused = async (body: Record<string, unknown>, message: string) => {
      const res = await call('POST', '/units', body);
      expect({ status: res.status, error: res.body.error, message: res.body.message }).toEqual({
        status: 422,
        error: 'Unprocessable Entity',
        message: expect.stringContaining(message),
      });
    };
    await refused(
      { name: 'Xã Mới', level: 'grassroots', parentId: provinceId },
      "parentId: a grassroots unit's parent must be a district",
    );
    await refused(
      { name: 'Huyện Mới', level: 'district', parentId: grassrootsId },
      "parentId: a district unit's parent must be a province",
    );
    await refused({ level: 'district', parentId: provinceId }, 'name: is required');
    await refused({ name: '   ', level: 'district', parentId: provinceId }, 'name: must not be empty');
    await refused(
      { name: 'x'.repeat(201), level: 'district', parentId: provinceId },
      'name: must be at most 200 characters',
    );
    await refused(
      { name: 'Xã Mới', level: 'grassroots', parentId: randomUUID() },
      'parentId: no unit with this id',
    );
    await refused({ name: 'Xã Mới', level: 'grassroots' }, 'parentId: is required');
    await refused(
      { name: 'Tỉnh Mới', level: 'province', parentId: provinceId },
      'parentId: a province has no parent',
    );
    await refused({ name: 'Thôn Mới', level: 'hamlet', parentId: ducLinhId }, 'level: must be one of');
    await refused({ name: 'Xã Mới' }, 'level: is required');

    const unknownField = await call('POST', '/units', {
      name: 'Xã Mới',
      level: 'grassroots',
      parentId: ducLinhId,
      code: 'X01',
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.message).toContain('code');
    expect(
      (await call('POST', '/units', { name: 42, level: 'grassroots', parentId: ducLinhId })).status,
    ).toBe(400);
    expect(
      (await call('POST', '/units', { name: 'Xã Mới', level: 'grassroots', parentId: 'x' })).status,
    ).toBe(400);
  });

  it('refuses a second sibling of the same name, whatever its case, with a 409', async () => {
    for (const name of ['Huyện Đức Linh', 'HUYỆN ĐỨC LINH', 'huyện đức linh']) {
      const res = await call('POST', '/units', { name, level: 'district', parentId: provinceId });
      expect({ name, status: res.status, message: res.body.message }).toEqual({
        name,
        status: 409,
        message: 'name: a unit named "Huyện Đức Linh" already exists under this parent',
      });
    }
  });

  it('renames a unit, refusing a sibling clash', async () => {
    const renamed = await call('PATCH', `/units/${districtId}`, {
      name: 'Đảng ủy Khối các cơ quan Dân vận tỉnh',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: districtId, name: 'Đảng ủy Khối các cơ quan Dân vận tỉnh' });
    // Changing only the case of its own name is no clash.
    const recased = await call('PATCH', `/units/${districtId}`, {
      name: 'Đảng ủy khối các cơ quan dân vận tỉnh',
    });
    expect(recased.status).toBe(200);
    expect(recased.body.name).toBe('Đảng ủy khối các cơ quan dân vận tỉnh');

    const clash = await call('PATCH', `/units/${districtId}`, { name: 'huyện hàm thuận bắc' });
    expect(clash.status).toBe(409);
    expect(clash.body.message).toBe(
      'name: a unit named "Huyện Hàm Thuận Bắc" already exists under this parent',
    );
    const empty = await call('PATCH', `/units/${districtId}`, { name: ' ' });
    expect(empty.status).toBe(422);
    expect(empty.body.message).toBe('name: must not be empty');
    expect((await call('PATCH', `/units/${randomUUID()}`, { name: 'Xã Mới' })).status).toBe(404);
    expect((await call('PATCH', `/units/${districtId}`, { level: 'province' })).status).toBe(400);
  });

  it('hides deactivated units from the tree and search unless asked, and reactivates them', async () => {
    const leaf = await call('POST', '/units', {
      name: 'Chi bộ Ấp Tạm',
      level: 'grassroots',
      parentId: districtId,
    });
    const off = await call('PATCH', `/units/${leaf.body.id}`, { active: false });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);

    expect((await tree()).map((u) => u.id)).not.toContain(leaf.body.id);
    expect((await tree('?includeInactive=true')).find((u) => u.id === leaf.body.id)?.active).toBe(false);
    expect(await search('ap tam')).toEqual([]);
    expect((await search('ap tam', '&includeInactive=true')).map((u) => u.id)).toEqual([leaf.body.id]);

    // A deactivated unit takes no new units, and a same-named sibling would still clash.
    const under = await call('POST', '/units', { name: 'Tổ 1', level: 'grassroots', parentId: leaf.body.id });
    expect(under.status).toBe(422);
    const twin = await call('POST', '/units', {
      name: 'Chi bộ Ấp Tạm',
      level: 'grassroots',
      parentId: districtId,
    });
    expect(twin.status).toBe(409);
    expect(twin.body.message).toContain('deactivated');

    const on = await call('PATCH', `/units/${leaf.body.id}`, { active: true });
    expect(on.status).toBe(200);
    expect(on.body.active).toBe(true);
    expect((await tree()).map((u) => u.id)).toContain(leaf.body.id);
    expect((await call('DELETE', `/units/${leaf.body.id}`)).status).toBe(204);
  });

  it('refuses to deactivate a unit with open nominations under it, allows it once they are closed', async () => {
    const [admin] = await t.db.dataSource.query(`SELECT id FROM users WHERE username = $1`, [
      E2E_ADMIN.username,
    ]);
    nominationId = randomUUID();
    await t.db.dataSource.query(
      `INSERT INTO nominations (id, campaign_id, unit_id, district_unit_id, title, description, field, kind,
                                nominee_name, stage, workflow_id, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'Mô hình "Ấp văn hóa"', 'Mô tả', 'culture_society', 'collective',
               'Chi bộ Ấp Đồng Sơn', 'district_review', $5, $6, now(), now())`,
      [nominationId, campaignId, grassrootsId, districtId, `nomination-${nominationId}`, admin.id],
    );

    const leaf = await call('PATCH', `/units/${grassrootsId}`, { active: false });
    expect(leaf.status).toBe(409);
    expect(leaf.body.message).toBe(
      'unit has 1 open nomination; they must close before it can be deactivated',
    );
    const district = await call('PATCH', `/units/${districtId}`, { active: false });
    expect(district.status).toBe(409);
    expect(district.body.message).toBe(
      'unit has 1 open nomination; they must close before it can be deactivated; ' +
        'deactivate its 1 active child unit first',
    );
    // Neither changed, and a rename sent along with a refused deactivation is not applied either.
    const both = await call('PATCH', `/units/${districtId}`, { name: 'Tên khác', active: false });
    expect(both.status).toBe(409);
    expect((await call('GET', `/units/${districtId}`)).body).toMatchObject({
      name: 'Đảng ủy khối các cơ quan dân vận tỉnh',
      active: true,
    });
    const deleted = await call('DELETE', `/units/${grassrootsId}`);
    expect(deleted.status).toBe(409);
    expect(deleted.body.message).toContain('1 nomination (1 open)');

    await t.db.dataSource.query(
      `UPDATE nominations SET stage = 'closed', outcome = 'withdrawn' WHERE id = $1`,
      [nominationId],
    );
    const onlyChild = await call('PATCH', `/units/${districtId}`, { active: false });
    expect(onlyChild.status).toBe(409);
    expect(onlyChild.body.message).toBe('deactivate its 1 active child unit first');

    expect((await call('PATCH', `/units/${grassrootsId}`, { active: false })).status).toBe(200);
    expect((await call('PATCH', `/units/${districtId}`, { active: false })).body.active).toBe(false);
    // A child cannot come back while its parent is deactivated.
    const orphan = await call('PATCH', `/units/${grassrootsId}`, { active: true });
    expect(orphan.status).toBe(409);
    expect(orphan.body.message).toContain('reactivate it first');
    expect((await call('PATCH', `/units/${districtId}`, { active: true })).status).toBe(200);
    expect((await call('PATCH', `/units/${grassrootsId}`, { active: true })).status).toBe(200);
  });

  it('deletes only a unit nothing refers to', async () => {
    const ducLinh = await call('DELETE', `/units/${ducLinhId}`);
    expect(ducLinh.status).toBe(409);
    expect(ducLinh.body.message).toMatch(
      /^unit "Huyện Đức Linh" cannot be deleted: it is referred to by 4 child units, 1 user; /,
    );
    expect(ducLinh.body.message).toContain('deactivate it instead');
    const withHistory = await call('DELETE', `/units/${grassrootsId}`);
    expect(withHistory.status).toBe(409);
    expect(withHistory.body.message).toContain('it is referred to by 1 nomination;');
    expect((await call('DELETE', `/units/${provinceId}`)).status).toBe(409);

    const fresh = await call('POST', '/units', {
      name: 'Chi bộ Thử',
      level: 'grassroots',
      parentId: ducLinhId,
    });
    expect(fresh.status).toBe(201);
    const gone = await call('DELETE', `/units/${fresh.body.id}`);
    expect(gone.status).toBe(204);
    expect(gone.body).toBe('');
    expect((await call('GET', `/units/${fresh.body.id}`)).status).toBe(404);
    expect((await call('DELETE', `/units/${fresh.body.id}`)).status).toBe(404);
  });

  it('lets only an administrator change units', async () => {
    const vo = (await search('vo xu'))[0];
    await createUser(t.db.dataSource, {
      username: 'units.submitter',
      password: 'submitter-password',
      displayName: 'Phạm Văn Tú',
      role: 'submitter',
      unitId: vo.id,
    });
    expect((await t.login('units.submitter', 'submitter-password')).status).toBe(200);
    try {
      expect((await call('GET', '/units')).status).toBe(200);
      expect((await call('GET', `/units/${vo.id}`)).status).toBe(200);
      const create = await call('POST', '/units', {
        name: 'Xã Lạ',
        level: 'grassroots',
        parentId: ducLinhId,
      });
      expect(create.status).toBe(403);
      expect(create.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: 'only an admin may create a unit',
      });
      expect((await call('PATCH', `/units/${vo.id}`, { name: 'Xã Lạ' })).status).toBe(403);
      expect((await call('PATCH', `/units/${vo.id}`, { active: false })).status).toBe(403);
      expect((await call('DELETE', `/units/${vo.id}`)).status).toBe(403);
    } finally {
      await t.login();
    }
    expect((await call('GET', `/units/${vo.id}`)).body).toMatchObject({
      name: 'Thị trấn Võ Xu',
      active: true,
    });
  });
});
