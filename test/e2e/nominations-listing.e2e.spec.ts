import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { demoCalendar } from '../../src/database/seed';
import { FIELDS, KINDS, type Field, type Kind } from '../../src/domain/nomination';
import { createUser } from '../support/fixtures';
import { type HttpResult, TestApp } from '../support/http-app';

const PASSWORD = 'correct horse battery';

interface Row {
  id: string;
  campaignId: string;
  unitId: string;
  field: Field;
  kind: Kind;
  stage: string;
  text: string;
}
type Filters = Partial<Record<'campaignId' | 'unitId' | 'stage' | 'field' | 'kind' | 'q', string>>;

/** What `search_text` holds: title and nominee, lower case, without diacritics. */
const fold = (s: string) =>
  s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();

/**
 * `GET /nominations` over HTTP: every filter alone and combined gives exactly the matching nominations of
 * the caller's scope, newest first (ties broken by id), paged by the `X-Next-Cursor` header so that
 * walking all pages shows every row once; a bad `limit` or `cursor` is a 400 naming it. Registrations
 * go through the real workflow (API, Temporal dev server, worker, PostgreSQL).
 */
describe('nomination listing over HTTP', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const units: Record<string, string> = {};
  const campaigns: Record<string, string> = {};
  /** Every nomination this file made, with what the filters look at. */
  const rows: Row[] = [];
  let otherProvinceRow: Row;

  const call = (who: string, path: string): Promise<HttpResult> =>
    t.call('GET', path, undefined, { authorization: `Bearer ${tokens[who]}` });
  const query = (f: Filters & { limit?: number | string; cursor?: string }) =>
    new URLSearchParams(Object.entries(f).map(([k, v]): [string, string] => [k, String(v)])).toString();

  /** Registers through POST /nominations (the workflow writes the read model). */
  async function register(
    who: string,
    r: { campaign: string; unit: string; title: string; nominee: string; field: Field; kind: Kind },
  ): Promise<Row> {
    const res = await t.call(
      'POST',
      '/nominations',
      {
        campaignId: campaigns[r.campaign],
        unitId: units[r.unit],
        title: r.title,
        description: 'Mô tả mô hình.',
        field: r.field,
        kind: r.kind,
        nomineeName: r.nominee,
      },
      { authorization: `Bearer ${tokens[who]}` },
    );
    expect(res.status).toBe(201);
    return {
      id: res.body.id,
      campaignId: campaigns[r.campaign],
      unitId: units[r.unit],
      field: r.field,
      kind: r.kind,
      stage: res.body.stage,
      text: fold(`${r.title} ${r.nominee}`),
    };
  }

  /** The rows as the database orders them: created_at (to the microsecond) descending, then id descending. */
  async function newestFirst(subset: Row[]): Promise<string[]> {
    const found: { id: string }[] = await t.db.dataSource.query(
      `SELECT id FROM nominations WHERE id = ANY($1::uuid[]) ORDER BY created_at DESC, id DESC`,
      [subset.map((r) => r.id)],
    );
    return found.map((r) => r.id);
  }

  /** The oracle: the rows a filter set must return, in a scope of unit ids. */
  const matching = (scope: string[], f: Filters) =>
    rows.filter(
      (r) =>
        scope.includes(r.unitId) &&
        (!f.campaignId || r.campaignId === f.campaignId) &&
        (!f.unitId || r.unitId === f.unitId) &&
        (!f.stage || r.stage === f.stage) &&
        (!f.field || r.field === f.field) &&
        (!f.kind || r.kind === f.kind) &&
        (!f.q?.trim() || r.text.includes(fold(f.q.trim()))),
    );

  /** Every page of a listing, following X-Next-Cursor; checks each page's size on the way. */
  async function walk(who: string, f: Filters, limit?: number): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const res: HttpResult = await call(
        who,
        `/nominations?${query({ ...f, ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) })}`,
      );
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body)).toBe(true);
      cursor = res.headers.get('x-next-cursor');
      // Every page but the last is full; the last has no next cursor, even when it is full too.
      if (cursor) expect(res.body).toHaveLength(limit ?? 50);
      pages.push(res.body.map((n: { id: string }) => n.id));
      expect(pages.length).toBeLessThan(1000);
    } while (cursor);
    return pages;
  }

  const ids = async (who: string, f: Filters) => {
    const res = await call(who, `/nominations?${query({ ...f, limit: 200 })}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-next-cursor')).toBeNull();
    return res.body.map((n: { id: string }) => n.id) as string[];
  };

  let province: string[];
  let ducLinhScope: string[];

  beforeAll(async () => {
    t = await TestApp.start();
    await t.login();
    tokens.admin = t.token!;
    const [root] = (await t.call('GET', '/units')).body;
    units.province = root.id;
    const byName = new Map<string, string>();
    const visit = (u: { id: string; name: string; children?: unknown[] }) => {
      byName.set(u.name, u.id);
      (u.children as (typeof u)[] | undefined)?.forEach(visit);
    };
    visit(root);
    for (const [key, name] of [
      ['ducLinh', 'Huyện Đức Linh'],
      ['voXu', 'Thị trấn Võ Xu'],
      ['namChinh', 'Xã Nam Chính'],
      ['tanhLinh', 'Huyện Tánh Linh'],
      ['giaAn', 'Xã Gia An'],
    ]) {
      units[key] = byName.get(name)!;
    }
    province = [...byName.values()];
    ducLinhScope = [units.ducLinh, units.voXu, units.namChinh];
    campaigns.a = (await t.call('GET', '/campaigns')).body[0].id;
    const newCampaign = async (who: string, year: number, provinceUnitId: string) => {
      const res = await t.call(
        'POST',
        '/campaigns',
        { name: `Dân vận khéo ${year}`, year, provinceUnitId, calendar: demoCalendar(new Date()) },
        { authorization: `Bearer ${tokens[who]}` },
      );
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    campaigns.b = await newCampaign('admin', 2080, units.province);

    // Another province, with its own administrator, campaign and nomination.
    const ds = t.db.dataSource;
    const [other] = await ds.query(
      `INSERT INTO units (name, level) VALUES ('Tỉnh Ninh Thuận', 'province') RETURNING id`,
    );
    const [otherDistrict] = await ds.query(
      `INSERT INTO units (name, level, parent_id) VALUES ('Huyện Ninh Phước', 'district', $1) RETURNING id`,
      [other.id],
    );
    units.otherProvince = other.id;
    units.otherDistrict = otherDistrict.id;
    for (const [username, role, unitId] of [
      ['ducLinh.reviewer', 'district_reviewer', units.ducLinh],
      ['ducLinh.admin', 'admin', units.ducLinh],
      ['voXu.submitter', 'submitter', units.voXu],
      ['tanhLinh.reviewer', 'district_reviewer', units.tanhLinh],
      ['giaAn.submitter', 'submitter', units.giaAn],
      ['province.reviewer', 'provincial_reviewer', units.province],
      ['other.admin', 'admin', units.otherProvince],
    ] as const) {
      await createUser(ds, { username, displayName: username, role, unitId, password: PASSWORD });
      const login = await t.call('POST', '/auth/login', { username, password: PASSWORD });
      expect(login.status).toBe(200);
      tokens[username] = login.body.accessToken;
    }
    campaigns.other = await newCampaign('other.admin', 2080, units.otherProvince);

    const models: [string, string, string, string, Field, Kind][] = [
      ['a', 'voXu', 'Mô hình "Chợ nông sản sạch"', 'Hợp tác xã Võ Xu', 'economic', 'collective'],
      [
        'a',
        'namChinh',
        'Mô hình "Camera an ninh thôn"',
        'Công an xã Nam Chính',
        'defense_security',
        'collective',
      ],
      [
        'a',
        'giaAn',
        'Mô hình "Đường hoa nông thôn mới"',
        'Hội Phụ nữ xã Gia An',
        'culture_society',
        'collective',
      ],
      ['a', 'voXu', 'Gương sáng dân vận', 'Nguyễn Văn Hùng', 'political_system', 'individual'],
      ['a', 'ducLinh', 'Tổ tự quản an ninh trật tự', 'Trần Thị Lan', 'defense_security', 'individual'],
      [
        'b',
        'voXu',
        'Nông sản an toàn cho bếp ăn trường học',
        'Đoàn Thanh niên Võ Xu',
        'economic',
        'collective',
      ],
      ['b', 'giaAn', 'Lớp học tình thương', 'Lê Văn Hùng', 'culture_society', 'individual'],
      ['a', 'tanhLinh', 'Ngày chủ nhật xanh', 'Huyện đoàn Tánh Linh', 'economic', 'collective'],
      [
        'b',
        'namChinh',
        'Dân vận khéo trong xây dựng Đảng',
        'Chi bộ thôn 3',
        'political_system',
        'collective',
      ],
    ];
    // One at a time, so that their registration times are in this order.
    for (const [campaign, unit, title, nominee, field, kind] of models) {
      rows.push(await register('admin', { campaign, unit, title, nominee, field, kind }));
    }
    otherProvinceRow = await register('other.admin', {
      campaign: 'other',
      unit: 'otherDistrict',
      title: 'Mô hình "Chợ nông sản sạch"',
      nominee: 'Hợp tác xã Ninh Phước',
      field: 'economic',
      kind: 'collective',
    });

    // Move some on, so that the stage filter has something to tell apart.
    const decide = async (row: Row, decision: string) => {
      const [task] = (await call('admin', `/tasks?nominationId=${row.id}`)).body;
      const res = await t.call(
        'POST',
        `/tasks/${task.id}/decision`,
        { decision },
        { authorization: `Bearer ${tokens.admin}` },
      );
      expect(res).toMatchObject({ status: 200, body: { stage: 'district_review' } });
      row.stage = 'district_review';
    };
    await decide(rows[0], 'accept');
    await decide(rows[6], 'accept');
    const withdrawn = await t.call(
      'POST',
      `/nominations/${rows[1].id}/withdraw`,
      { reason: 'Đơn vị rút hồ sơ' },
      { authorization: `Bearer ${tokens.admin}` },
    );
    expect(withdrawn).toMatchObject({ status: 200, body: { stage: 'closed' } });
    rows[1].stage = 'closed';
  }, 300_000);
  afterAll(() => t?.close());

  it('lists the caller’s nominations newest first, as a JSON array', async () => {
    const res = await call('admin', '/nominations');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-next-cursor')).toBeNull();
    expect(res.body.map((n: { id: string }) => n.id)).toEqual(rows.map((r) => r.id).reverse());
    const times = res.body.map((n: { createdAt: string }) => Date.parse(n.createdAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(res.body[res.body.length - 1]).toMatchObject({
      id: rows[0].id,
      campaignId: campaigns.a,
      unitId: units.voXu,
      districtUnitId: units.ducLinh,
      title: 'Mô hình "Chợ nông sản sạch"',
      stage: 'district_review',
      field: 'economic',
      kind: 'collective',
    });
  });

  it('applies each filter alone, exactly', async () => {
    const expectIds = async (f: Filters, expected: Row[]) =>
      expect(await ids('admin', f)).toEqual(await newestFirst(expected));
    const [choNongSan, camera, duongHoa, guongSang, toTuQuan, nongSan, lopHoc, chuNhat, danVan] = rows;

    await expectIds({ campaignId: campaigns.a }, [
      choNongSan,
      camera,
      duongHoa,
      guongSang,
      toTuQuan,
      chuNhat,
    ]);
    await expectIds({ campaignId: campaigns.b }, [nongSan, lopHoc, danVan]);
    // Another province's campaign is not a way into it.
    await expectIds({ campaignId: campaigns.other }, []);
    await expectIds({ campaignId: randomUUID() }, []);

    // unitId is the registering unit exactly, not the units under it.
    await expectIds({ unitId: units.voXu }, [choNongSan, guongSang, nongSan]);
    await expectIds({ unitId: units.ducLinh }, [toTuQuan]);
    await expectIds({ unitId: units.giaAn }, [duongHoa, lopHoc]);
    await expectIds({ unitId: units.otherDistrict }, []);

    await expectIds({ stage: 'district_registration' }, [
      duongHoa,
      guongSang,
      toTuQuan,
      nongSan,
      chuNhat,
      danVan,
    ]);
    await expectIds({ stage: 'district_review' }, [choNongSan, lopHoc]);
    await expectIds({ stage: 'closed' }, [camera]);
    await expectIds({ stage: 'recognition' }, []);

    await expectIds({ field: 'economic' }, [choNongSan, nongSan, chuNhat]);
    await expectIds({ field: 'defense_security' }, [camera, toTuQuan]);
    await expectIds({ field: 'culture_society' }, [duongHoa, lopHoc]);
    await expectIds({ field: 'political_system' }, [guongSang, danVan]);

    await expectIds({ kind: 'individual' }, [guongSang, toTuQuan, lopHoc]);
    await expectIds({ kind: 'collective' }, [choNongSan, camera, duongHoa, nongSan, chuNhat, danVan]);

    // Text in the title or the nominee, case and diacritics ignored; LIKE's wildcards are literal.
    await expectIds({ q: 'NONG SAN' }, [choNongSan, nongSan]);
    await expectIds({ q: 'an ninh' }, [camera, toTuQuan]);
    await expectIds({ q: 'văn hùng' }, [guongSang, lopHoc]);
    await expectIds({ q: '  dang  ' }, [danVan]);
    await expectIds({ q: '%' }, []);
    await expectIds({ q: '_' }, []);
  });

  it('combines filters, exactly', async () => {
    const [choNongSan, , , guongSang, toTuQuan, nongSan, lopHoc] = rows;
    const combos: [Filters, Row[]][] = [
      [{ campaignId: campaigns.a, unitId: units.voXu }, [choNongSan, guongSang]],
      [{ campaignId: campaigns.b, kind: 'individual' }, [lopHoc]],
      [{ field: 'economic', stage: 'district_registration' }, [nongSan, rows[7]]],
      [{ q: 'nong san', campaignId: campaigns.a }, [choNongSan]],
      [{ q: 'an ninh', kind: 'individual', unitId: units.ducLinh }, [toTuQuan]],
      [{ q: 'an ninh', kind: 'individual', unitId: units.namChinh }, []],
      [
        {
          campaignId: campaigns.a,
          unitId: units.voXu,
          stage: 'district_review',
          field: 'economic',
          kind: 'collective',
          q: 'cho',
        },
        [choNongSan],
      ],
    ];
    for (const [f, expected] of combos) {
      expect(await ids('admin', f)).toEqual(await newestFirst(expected));
    }

    // And any combination at all agrees with the oracle, for every kind of caller.
    const scopes: [string, string[]][] = [
      ['admin', province],
      ['ducLinh.reviewer', ducLinhScope],
      ['giaAn.submitter', [units.giaAn]],
    ];
    const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...scopes),
        fc.record({
          campaignId: opt(fc.constantFrom(campaigns.a, campaigns.b, campaigns.other)),
          unitId: opt(fc.constantFrom(units.voXu, units.ducLinh, units.giaAn, units.namChinh)),
          stage: opt(fc.constantFrom('district_registration', 'district_review', 'closed')),
          field: opt(fc.constantFrom(...FIELDS)),
          kind: opt(fc.constantFrom(...KINDS)),
          q: opt(fc.constantFrom('nong', 'an ninh', 'HÙNG', 'mô hình', 'xanh')),
        }),
        async ([who, scope], f) => {
          const defined = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
          expect(await ids(who, defined)).toEqual(await newestFirst(matching(scope, defined)));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('shows each caller only their own units', async () => {
    const inScope = (scope: string[]) => newestFirst(matching(scope, {}));
    // District roles: their district and the grassroots units under it, nothing of another district.
    for (const who of ['ducLinh.reviewer', 'ducLinh.admin']) {
      expect(await ids(who, {})).toEqual(await inScope(ducLinhScope));
      expect(await ids(who, { unitId: units.giaAn })).toEqual([]);
      expect(await ids(who, { unitId: units.tanhLinh })).toEqual([]);
    }
    expect(await ids('tanhLinh.reviewer', {})).toEqual(await inScope([units.tanhLinh, units.giaAn]));
    expect(await ids('tanhLinh.reviewer', { unitId: units.voXu })).toEqual([]);
    // A submitter: their own unit only.
    expect(await ids('voXu.submitter', {})).toEqual(await inScope([units.voXu]));
    expect(await ids('voXu.submitter', { unitId: units.namChinh })).toEqual([]);
    expect(await ids('giaAn.submitter', {})).toEqual(await inScope([units.giaAn]));
    expect(await ids('giaAn.submitter', { q: 'nong san' })).toEqual([]);
    // Provincial roles: every unit of their province, nothing of another province.
    const all = await inScope(province);
    expect(all).toHaveLength(rows.length);
    expect(await ids('province.reviewer', {})).toEqual(all);
    expect(await ids('admin', {})).not.toContain(otherProvinceRow.id);
    expect(await ids('admin', { q: 'ninh phuoc' })).toEqual([]);
    // Another province's administrator sees their own nomination and nothing of this province.
    expect(await ids('other.admin', {})).toEqual([otherProvinceRow.id]);
    expect(await ids('other.admin', { campaignId: campaigns.a })).toEqual([]);
    expect(await ids('other.admin', { unitId: units.voXu })).toEqual([]);
    expect(await ids('other.admin', { q: 'nong san' })).toEqual([otherProvinceRow.id]);
  });

  it('documents its filters, paging parameters and next-page header in the OpenAPI document', async () => {
    const op = (await t.call('GET', '/docs-json')).body.paths['/nominations'].get;
    const params = Object.fromEntries(
      op.parameters.map((p: { name: string; in: string; schema: unknown }) => [p.name, p]),
    );
    expect(Object.keys(params).sort()).toEqual(
      ['campaignId', 'cursor', 'field', 'kind', 'limit', 'q', 'stage', 'unitId'].sort(),
    );
    expect(params.limit).toMatchObject({ in: 'query', schema: { minimum: 1, maximum: 200, default: 50 } });
    expect(Object.keys(op.responses['200'].headers)).toEqual(['X-Next-Cursor']);
    expect(Object.keys(op.responses)).toContain('400');
  });

  it('refuses a bad limit, cursor or filter with a 400 naming it, never a 500', async () => {
    const refused = async (q: string, field: string) => {
      const res = await call('admin', `/nominations?${q}`);
      expect(res).toMatchObject({ status: 400, body: { statusCode: 400, error: 'Bad Request' } });
      expect(res.body.message).toContain(field);
    };
    for (const limit of ['0', '201', '-1', 'ten', '1.5', '', '1e3']) {
      await refused(`limit=${encodeURIComponent(limit)}`, 'limit');
    }
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const uuid = randomUUID();
    for (const cursor of [
      'garbage',
      '!!!',
      b64('2026-01-01T00:00:00Z'),
      b64({ at: '2026-01-01T00:00:00Z', id: uuid }),
      b64(['2026-02-30T00:00:00Z', uuid]),
      b64(['2026-01-01T00:00:00', uuid]),
      b64(['2026-01-01T00:00:00Z', 'not-a-uuid']),
      b64(['2026-01-01T00:00:00Z', uuid, 'extra']),
      b64([null, null]),
      b64([12, 34]),
      b64(["2026-01-01T00:00:00Z'; DROP TABLE nominations; --", uuid]),
      'x'.repeat(201),
    ]) {
      await refused(`cursor=${encodeURIComponent(cursor)}`, 'cursor');
    }
    await refused('stage=finished', 'stage');
    await refused('field=sports', 'field');
    await refused('kind=group', 'kind');
    await refused('campaignId=abc', 'campaignId');
    await refused('unitId=abc', 'unitId');
    await refused(`q=${'a'.repeat(201)}`, 'q');
    await refused('sort=title', 'sort');
    // A well-formed cursor past every row is simply the end.
    const end = await call('admin', `/nominations?cursor=${b64(['1900-01-01T00:00:00Z', uuid])}`);
    expect(end).toMatchObject({ status: 200, body: [] });
    expect(end.headers.get('x-next-cursor')).toBeNull();
  });

  it('pages past 200 rows: every row exactly once, in order, page sizes honoured', async () => {
    campaigns.c = await (async () => {
      const res = await t.call('POST', '/campaigns', {
        name: 'Dân vận khéo 2081',
        year: 2081,
        provinceUnitId: units.province,
        calendar: demoCalendar(new Date()),
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    })();
    const volume: Row[] = [];
    const placesOf = ['voXu', 'namChinh', 'ducLinh', 'giaAn', 'tanhLinh'];
    // Through the real workflow, ten at a time (parallel registrations may share a millisecond: the id
    // breaks the tie).
    for (let batch = 0; batch < 25; batch++) {
      volume.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, (_, i) => {
            const n = batch * 10 + i;
            return register('admin', {
              campaign: 'c',
              unit: placesOf[n % placesOf.length],
              title: `Mô hình số ${n}`,
              nominee: `Đơn vị ${n}`,
              field: FIELDS[n % FIELDS.length],
              kind: KINDS[n % 3 === 0 ? 1 : 0],
            });
          }),
        )),
      );
    }
    rows.push(...volume);

    const expectWalk = async (who: string, f: Filters, limit: number | undefined, scope: string[]) => {
      const pages = await walk(who, f, limit);
      const flat = pages.flat();
      const expected = await newestFirst(matching(scope, f));
      expect(new Set(flat).size).toBe(flat.length);
      expect(flat).toEqual(expected);
      expect(pages.length).toBe(Math.max(1, Math.ceil(expected.length / (limit ?? 50))));
      return pages;
    };
    const c = { campaignId: campaigns.c };
    // The whole province (259 rows) at the largest page, at the default of 50, and at an odd size.
    const big = await expectWalk('admin', {}, 200, province);
    expect(big.map((p) => p.length)).toEqual([200, rows.length - 200]);
    expect((await expectWalk('admin', {}, undefined, province)).map((p) => p.length)).toEqual([
      50,
      50,
      50,
      50,
      50,
      rows.length - 250,
    ]);
    await expectWalk('admin', c, 7, province);
    await expectWalk('admin', c, 250 / 2, province);
    // With filters, and in a district's scope.
    await expectWalk('admin', { ...c, kind: 'individual', field: 'economic' }, 3, province);
    await expectWalk('ducLinh.reviewer', c, 11, ducLinhScope);
    await expectWalk('voXu.submitter', { ...c, q: 'mo hinh so' }, 1, [units.voXu]);
    expect(await walk('other.admin', {}, 1)).toEqual([[otherProvinceRow.id]]);
    expect(await walk('other.admin', c, 5)).toEqual([[]]);

    // A cursor carries its filters' position only: the same cursor with a narrower filter goes on from there.
    const first = await call('admin', `/nominations?${query({ ...c, limit: 100 })}`);
    const cursor = first.headers.get('x-next-cursor')!;
    const rest = await call(
      'admin',
      `/nominations?${query({ ...c, kind: 'collective', limit: 200, cursor })}`,
    );
    const after = (await newestFirst(matching(province, c))).slice(100);
    expect(rest.body.map((n: { id: string }) => n.id)).toEqual(
      after.filter((id) => rows.find((r) => r.id === id)!.kind === 'collective'),
    );
  }, 600_000);

  it('breaks ties of the same instant by id, to the microsecond, across pages', async () => {
    // These rows are written to the read model directly (the only ones in this file): the workflow stamps
    // registrations to the millisecond, so rows sharing an instant or differing by microseconds cannot be
    // made through it on purpose. The listing reads the read model only, so the test is the same.
    const ds = t.db.dataSource;
    const [admin] = await ds.query(`SELECT id FROM users WHERE username = 'e2e-admin'`);
    const instants = [
      '2030-06-01T00:00:00.000001Z',
      '2030-06-01T00:00:00.000001Z',
      '2030-06-01T00:00:00.000001Z',
      '2030-06-01T00:00:00.000002Z',
      '2030-06-01T00:00:00.000999Z',
      '2030-06-01T00:00:00.000999Z',
      '2030-06-01T00:00:00.001Z',
    ];
    const tied: Row[] = [];
    for (const [i, at] of instants.entries()) {
      const id = randomUUID();
      await ds.query(
        `INSERT INTO nominations (id, campaign_id, unit_id, district_unit_id, title, description, field, kind,
                                  nominee_name, stage, workflow_id, created_by, created_at, updated_at, stage_entered_at)
         VALUES ($1, $2, $3, $4, $5, 'Mô tả', 'economic', 'collective', 'Đơn vị', 'district_registration',
                 $6, $7, $8, $8, $8)`,
        [id, campaigns.a, units.voXu, units.ducLinh, `Hàng đợi ${i}`, `nomination-${id}`, admin.id, at],
      );
      tied.push({
        id,
        campaignId: campaigns.a,
        unitId: units.voXu,
        field: 'economic',
        kind: 'collective',
        stage: 'district_registration',
        text: fold(`Hàng đợi ${i} Đơn vị`),
      });
    }
    rows.push(...tied);
    const expected = [...tied]
      .sort((x, y) => (x.id < y.id ? 1 : -1))
      .sort((x, y) => instants[tied.indexOf(y)].localeCompare(instants[tied.indexOf(x)]))
      .map((r) => r.id);
    expect(await newestFirst(tied)).toEqual(expected);
    for (const limit of [1, 2, 3]) {
      expect((await walk('admin', { q: 'hang doi' }, limit)).flat()).toEqual(expected);
    }
    // Newer than every registration, they head the province's first page.
    expect((await call('admin', '/nominations?limit=7')).body.map((n: { id: string }) => n.id)).toEqual(
      expected,
    );
  });
});
