import { TestApp } from '../support/http-app';

interface UnitNode {
  id: string;
  name: string;
  children: UnitNode[];
}

const VI_HEADER = 'Tên mô hình;Mô tả;Lĩnh vực;Loại;Tên đơn vị/cá nhân;Đơn vị';

/**
 * Bulk registration over HTTP against the real dev server and PostgreSQL: a file with bad rows starts
 * nothing, a good file registers every row (each nomination with its first task), and the same file
 * again registers nothing twice.
 */
describe('bulk registration (POST /campaigns/:id/nominations/import)', () => {
  let t: TestApp;
  let campaignId: string;
  const unitIds = new Map<string, string>();
  const unitId = (path: string) => {
    const id = unitIds.get(path);
    if (!id) throw new Error(`no unit ${path}`);
    return id;
  };

  beforeAll(async () => {
    t = await TestApp.start();
    await t.login();
    const [province]: UnitNode[] = (await t.call('GET', '/units')).body;
    for (const d of province.children) {
      unitIds.set(d.name, d.id);
      for (const g of d.children) unitIds.set(`${d.name} / ${g.name}`, g.id);
    }
    campaignId = (await t.call('GET', '/campaigns')).body[0].id;
    // A second "Xã Nam Chính", under Tánh Linh: the bare name becomes ambiguous.
    const twin = await t.call('POST', '/units', {
      name: 'Xã Nam Chính',
      level: 'grassroots',
      parentId: unitId('Huyện Tánh Linh'),
    });
    expect(twin.status).toBe(201);
    unitIds.set('Huyện Tánh Linh / Xã Nam Chính', twin.body.id);
  });
  afterAll(() => t?.close());

  async function upload(body: string | Buffer, contentType = 'text/csv; charset=utf-8', id = campaignId) {
    const res = await fetch(`${t.app.url}/campaigns/${id}/nominations/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': contentType },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async function nominations(): Promise<
    { id: string; unitId: string; districtUnitId: string; title: string }[]
  > {
    const res = await t.call('GET', `/nominations?campaignId=${campaignId}`);
    expect(res.status).toBe(200);
    return res.body;
  }

  it('refuses a file with bad rows, naming each row and column, and registers nothing', async () => {
    const file = [
      VI_HEADER,
      'Chợ phiên nông sản sạch;Kết nối nông dân với người tiêu dùng;Kinh tế;Tập thể;Hội Nông dân;Thị trấn Võ Xu',
      'Tuyến đường tự quản;Giữ gìn vệ sinh tuyến đường;Văn hóa - xã hội;Tập thể;Hội Phụ nữ;Huyen Duc Linh',
      'Mô hình thể thao;Sân chơi cho thiếu nhi;Thể thao;Tập thể;Đoàn Thanh niên;Xã Gia An',
      '"Dân vận khéo; hiệu quả";"Hai dòng\nmô tả";Quốc phòng - an ninh;Cá nhân;Nguyễn Văn An;Huyện Tánh Linh',
      'Hiến đất làm đường;Vận động hiến đất;Kinh tế;Tập thể;Nhân dân thôn 3;Xã Nam Chính',
      'Nhà nhân ái;Xây nhà cho hộ nghèo;political_system;collective;Mặt trận Tổ quốc;Thị trấn Đức Tài',
    ].join('\n');
    const res = await upload(Buffer.from('\uFEFF' + file, 'utf8'));
    expect(res).toEqual({
      status: 422,
      body: {
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: '2 rows have errors; nothing was imported',
        errors: [
          { row: 4, column: 'Lĩnh vực', reason: expect.stringMatching(/^'Thể thao' is not a field/) },
          {
            // Row 5 spans two lines (a quoted line break), so this row starts on line 7.
            row: 7,
            column: 'Đơn vị',
            reason: expect.stringContaining(
              "'Xã Nam Chính' matches 2 units: Xã Nam Chính (Huyện Đức Linh), Xã Nam Chính (Huyện Tánh Linh)",
            ),
          },
        ],
      },
    });
    expect(await nominations()).toHaveLength(0);
  });

  /** 30 models over district-level and grassroots units; some units named without diacritics. */
  const goodRows: { title: string; unit: string; path: string; line: string }[] = (() => {
    const units: [string, string][] = [
      ['Thị trấn Võ Xu', 'Huyện Đức Linh / Thị trấn Võ Xu'],
      ['thi tran duc tai', 'Huyện Đức Linh / Thị trấn Đức Tài'],
      ['Huyện Đức Linh / Xã Nam Chính', 'Huyện Đức Linh / Xã Nam Chính'],
      ['Huyện Đức Linh', 'Huyện Đức Linh'],
      ['huyen tanh linh', 'Huyện Tánh Linh'],
      ['Xã Gia An', 'Huyện Tánh Linh / Xã Gia An'],
      ['Thành phố Phan Thiết', 'Thành phố Phan Thiết'],
      ['phuong phu thuy', 'Thành phố Phan Thiết / Phường Phú Thủy'],
      ['Xã Tân Bình', 'Thị xã La Gi / Xã Tân Bình'],
      ['Đảng bộ Sở Y tế', 'Đảng ủy Khối Cơ quan và Doanh nghiệp tỉnh / Đảng bộ Sở Y tế'],
    ];
    const fields = ['Kinh tế', 'Văn hóa - xã hội', 'Quốc phòng - an ninh', 'Xây dựng hệ thống chính trị'];
    return Array.from({ length: 30 }, (_, i) => {
      const [unit, path] = units[i % units.length];
      const title = `Mô hình "Dân vận khéo" số ${i + 1}, năm ${new Date().getFullYear()}`;
      const kind = i % 5 === 0 ? 'Cá nhân' : 'Tập thể';
      const nominee = kind === 'Cá nhân' ? `Nguyễn Thị Hồng ${i + 1}` : `Hội Phụ nữ ${unit}`;
      const line = [title, `Mô tả mô hình số ${i + 1}; có dấu chấm phẩy`, fields[i % 4], kind, nominee, unit]
        .map((v) => `"${v.replace(/"/g, '""')}"`)
        .join(',');
      return { title, unit, path, line };
    });
  })();
  const goodFile = ['title,description,field,kind,nomineeName,unit', ...goodRows.map((r) => r.line)].join(
    '\r\n',
  );

  it('registers every row of a good file with its first task; the same file again creates nothing', async () => {
    const first = await upload(goodFile);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ imported: 30, created: 30, alreadyPresent: 0 });
    expect(first.body.nominations.map((n: { row: number; title: string }) => [n.row, n.title])).toEqual(
      goodRows.map((r, i) => [i + 2, r.title]),
    );

    const list = await nominations();
    expect(list).toHaveLength(30);
    const byId = new Map(list.map((n) => [n.id, n]));
    goodRows.forEach((r, i) => {
      const n = byId.get(first.body.nominations[i].id)!;
      expect(n).toMatchObject({ title: r.title, unitId: unitId(r.path) });
      // A grassroots unit is reviewed by its district-level unit.
      expect(n.districtUnitId).toBe(unitId(r.path.split(' / ')[0]));
    });
    for (const n of list) {
      const tasks = await t.call('GET', `/tasks?nominationId=${n.id}`);
      expect(tasks.body).toEqual([
        expect.objectContaining({
          status: 'open',
          allowedDecisions: ['accept', 'request_revision', 'reject'],
        }),
      ]);
    }

    const again = await upload(goodFile);
    expect(again).toMatchObject({ status: 200, body: { imported: 30, created: 0, alreadyPresent: 30 } });
    expect(again.body.nominations).toEqual(first.body.nominations);
    expect(await nominations()).toHaveLength(30);

    // Rows already imported (here under another spelling of their unit and title case) are not registered again.
    const more = [
      VI_HEADER,
      [
        goodRows[1].title.toUpperCase(),
        'Khác',
        'Kinh tế',
        'Tập thể',
        `Hội Phụ nữ ${goodRows[1].unit}`,
        'Thị trấn Đức Tài',
      ]
        .map((v) => `"${v.replace(/"/g, '""')}"`)
        .join(';'),
      'Bếp ăn tình thương;Nấu cơm cho bệnh nhân;Văn hóa - xã hội;Tập thể;Hội Chữ thập đỏ;Huyện Tánh Linh / Xã Nam Chính',
    ].join('\n');
    const partly = await upload(more);
    expect(partly).toMatchObject({ status: 201, body: { imported: 2, created: 1, alreadyPresent: 1 } });
    expect(partly.body.nominations[0].id).toBe(first.body.nominations[1].id);
    expect(await nominations()).toHaveLength(31);
  });

  it('lets a submitter import for their own unit only', async () => {
    await t.login('demo.submitter', 'demo-password');
    try {
      const outside = await upload(
        `${VI_HEADER}\nSân chơi thiếu nhi;Mô tả;Kinh tế;Tập thể;Đoàn Thanh niên;Xã Gia An\n`,
      );
      expect(outside).toMatchObject({
        status: 422,
        body: {
          errors: [{ row: 2, column: 'Đơn vị', reason: "no unit named 'Xã Gia An' among your units" }],
        },
      });
      const own = await upload(
        `${VI_HEADER}\nSân chơi thiếu nhi;Mô tả;Kinh tế;Tập thể;Đoàn Thanh niên;Võ Xu\n`,
      );
      expect(own.status).toBe(422);
      const ok = await upload(
        `${VI_HEADER}\nSân chơi thiếu nhi;Mô tả;Kinh tế;Tập thể;Đoàn Thanh niên;Thị trấn Võ Xu\n`,
      );
      expect(ok).toMatchObject({ status: 201, body: { created: 1 } });
    } finally {
      await t.login();
    }
  });

  it('refuses a district reviewer (403), an unknown campaign, a wrong content type, an empty file, a missing column and a file over 5 MB', async () => {
    await t.login('demo.district', 'demo-password');
    try {
      expect(await upload(goodFile)).toMatchObject({
        status: 403,
        body: { message: 'only a submitter or an admin may register a model' },
      });
    } finally {
      await t.login();
    }
    expect(await upload(goodFile, 'text/csv', '00000000-0000-4000-8000-000000000000')).toMatchObject({
      status: 422,
      body: { message: 'campaignId: no campaign with this id' },
    });
    expect(await upload(JSON.stringify({ rows: [] }), 'application/json')).toMatchObject({ status: 415 });
    expect(await upload('')).toMatchObject({
      status: 422,
      body: { message: expect.stringContaining('the file is empty'), errors: [{ row: 1, column: null }] },
    });
    expect(
      await upload('title,description,field,kind,unit\nA,B,economic,collective,Xã Gia An\n'),
    ).toMatchObject({
      status: 422,
      body: {
        message: expect.stringContaining('the header lacks the column nomineeName'),
        errors: [{ row: 1, column: 'nomineeName' }],
      },
    });
    const huge = goodFile + '\n' + 'x'.repeat(5 * 1024 * 1024);
    expect(await upload(huge)).toMatchObject({
      status: 413,
      body: { message: 'the file is larger than 5 MB; split it into several files' },
    });
    expect(await nominations()).toHaveLength(32);
  });

  it('refuses with 409 while the campaign does not take registrations, registering nothing', async () => {
    const [campaign] = await t.db.dataSource.query(`SELECT calendar FROM campaigns WHERE id = $1`, [
      campaignId,
    ]);
    const closed = structuredClone(campaign.calendar);
    closed.stages.district_registration.dueAt = new Date(Date.now() - 60_000).toISOString();
    await t.db.dataSource.query(`UPDATE campaigns SET calendar = $2 WHERE id = $1`, [campaignId, closed]);
    try {
      const res = await upload(goodFile.replace(/Mô hình/g, 'Mô hình muộn'));
      expect(res).toMatchObject({
        status: 409,
        body: { message: expect.stringMatching(/^campaignId: registration closed at /) },
      });
      expect(await nominations()).toHaveLength(32);
    } finally {
      await t.db.dataSource.query(`UPDATE campaigns SET calendar = $2 WHERE id = $1`, [
        campaignId,
        campaign.calendar,
      ]);
    }
  });

  it('is documented in the OpenAPI document as taking text/csv', async () => {
    const doc = (await t.call('GET', '/docs-json')).body;
    const op = doc.paths['/campaigns/{id}/nominations/import'].post;
    expect(Object.keys(op.requestBody.content)).toEqual(['text/csv']);
    expect(op.description).toContain('title,description,field,kind,nomineeName,unit');
    expect(Object.keys(op.responses)).toEqual(
      expect.arrayContaining(['200', '201', '403', '409', '413', '422', '502']),
    );
  });
});
