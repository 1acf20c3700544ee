import { runBounded } from '../../src/imports/bounded';
import {
  checkImportRows,
  detectDelimiter,
  foldName,
  MAX_IMPORT_ROWS,
  type ParsedCsv,
  parseField,
  parseImportCsv,
  parseKind,
  rowErrorsMessage,
  UnitDirectory,
  type UnitEntry,
} from '../../src/imports/import-csv';

const HEADER = 'title,description,field,kind,nomineeName,unit';

function unit(id: string, name: string, level: string, parent: string | null, active = true): UnitEntry {
  return {
    id,
    name,
    level,
    active,
    searchName: foldName(name),
    parentName: parent,
    parentSearchName: parent && foldName(parent),
  };
}

const PROVINCE = 'Tỉnh Bình Thuận';
const UNITS = [
  unit('00000000-0000-4000-8000-000000000001', PROVINCE, 'province', null),
  unit('00000000-0000-4000-8000-000000000002', 'Huyện Đức Linh', 'district', PROVINCE),
  unit('00000000-0000-4000-8000-000000000003', 'Xã Nam Chính', 'grassroots', 'Huyện Đức Linh'),
  unit('00000000-0000-4000-8000-000000000004', 'Thị trấn Võ Xu', 'grassroots', 'Huyện Đức Linh'),
  unit('00000000-0000-4000-8000-000000000005', 'Huyện Tánh Linh', 'district', PROVINCE),
  unit('00000000-0000-4000-8000-000000000006', 'Xã Gia An', 'grassroots', 'Huyện Tánh Linh'),
  unit('00000000-0000-4000-8000-000000000007', 'Xã Gia An', 'grassroots', 'Huyện Đức Linh', false),
  unit('00000000-0000-4000-8000-000000000008', 'Xã Tân Thắng', 'grassroots', 'Huyện Tánh Linh'),
  unit('00000000-0000-4000-8000-000000000009', 'Xã Tân Thăng', 'grassroots', 'Huyện Đức Linh'),
  unit('00000000-0000-4000-8000-00000000000a', 'Xã Đồng Kho', 'grassroots', 'Huyện Tánh Linh', false),
];
const ID = Object.fromEntries(UNITS.map((u) => [`${u.name}|${u.parentName}`, u.id]));
const directory = new UnitDirectory(UNITS);

async function parsed(text: string | Buffer): Promise<ParsedCsv> {
  const out = await parseImportCsv(text);
  if (!out.ok) throw new Error(`expected a readable file: ${out.problem.message}`);
  return out.csv;
}

describe('parseImportCsv', () => {
  it('reads UTF-8 with a byte order mark, quoted values with commas, quotes and line breaks, CRLF endings', async () => {
    const text =
      '\uFEFF' +
      [
        HEADER,
        '"Tuyến đường tự quản xanh, sạch, đẹp","Dòng một,\r\ndòng hai với ""ngoặc kép""",culture_society,collective,Hội Phụ nữ,Xã Nam Chính',
        '',
        'Chợ phiên,Mô tả,economic,individual,Nguyễn Văn An,Thị trấn Võ Xu',
      ].join('\r\n') +
      '\r\n';
    const csv = await parsed(Buffer.from(text, 'utf8'));
    expect(csv.delimiter).toBe(',');
    expect(csv.headers.title).toBe('title');
    expect(csv.rows).toEqual([
      {
        line: 2,
        extraValues: 0,
        values: {
          title: 'Tuyến đường tự quản xanh, sạch, đẹp',
          description: 'Dòng một,\ndòng hai với "ngoặc kép"',
          field: 'culture_society',
          kind: 'collective',
          nomineeName: 'Hội Phụ nữ',
          unit: 'Xã Nam Chính',
        },
      },
      // The quoted line break makes the row after the blank line start on line 5.
      expect.objectContaining({ line: 5, values: expect.objectContaining({ title: 'Chợ phiên' }) }),
    ]);
  });

  it('detects semicolons and reads Vietnamese headers in any order, ignoring case and diacritics', async () => {
    const csv = await parsed(
      [
        'ĐƠN VỊ;Ten mo hinh;Mô tả;Lĩnh vực;loại;Tên đơn vị/cá nhân;Ghi chú',
        'Xã Nam Chính;Mô hình A, B;Mô tả;Kinh tế;Tập thể;Hội Nông dân;bỏ qua',
      ].join('\n'),
    );
    expect(csv.delimiter).toBe(';');
    expect(csv.headers).toEqual({
      title: 'Ten mo hinh',
      description: 'Mô tả',
      field: 'Lĩnh vực',
      kind: 'loại',
      nomineeName: 'Tên đơn vị/cá nhân',
      unit: 'ĐƠN VỊ',
    });
    expect(csv.rows[0].values).toEqual({
      title: 'Mô hình A, B',
      description: 'Mô tả',
      field: 'Kinh tế',
      kind: 'Tập thể',
      nomineeName: 'Hội Nông dân',
      unit: 'Xã Nam Chính',
    });
  });

  it('normalizes decomposed (NFD) text to NFC and trims values', async () => {
    const csv = await parsed(`${HEADER}\n  ${'Tuyến đường'.normalize('NFD')}  ,d,economic,collective,n,u\n`);
    expect(csv.rows[0].values.title).toBe('Tuyến đường');
  });

  it('keeps quotes inside unquoted values', async () => {
    const csv = await parsed(`${HEADER}\nMô hình "Dân vận khéo",d,economic,collective,n,u`);
    expect(csv.rows[0].values.title).toBe('Mô hình "Dân vận khéo"');
  });

  it('picks the separator the header line has more of, outside quotes', () => {
    expect(detectDelimiter('a,b,c')).toBe(',');
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('"a,b,c";d;e')).toBe(';');
  });

  it.each([
    ['an empty file', '', 1, /the file is empty/],
    ['blank lines only', '\n \r\n\n', 1, /the file is empty/],
    ['a byte order mark only', '\uFEFF', 1, /the file is empty/],
    ['a header without rows', `${HEADER}\n\n`, 2, /no rows below it/],
  ])('refuses %s', async (_what, text, row, message) => {
    const out = await parseImportCsv(Buffer.from(text, 'utf8'));
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.problem.message).toMatch(message);
    expect(out.problem.errors).toEqual([{ row, column: null, reason: expect.stringMatching(message) }]);
  });

  it('names each missing column of the header', async () => {
    const out = await parseImportCsv('title;Mô tả;field;unit\nx;y;economic;z');
    expect(out).toEqual({
      ok: false,
      problem: {
        message:
          'the header lacks the columns kind, nomineeName; the columns are title, description, field, kind, nomineeName, unit',
        errors: [
          { row: 1, column: 'kind', reason: "the header has no column kind (or 'Loại')" },
          {
            row: 1,
            column: 'nomineeName',
            reason: "the header has no column nomineeName (or 'Tên đơn vị/cá nhân')",
          },
        ],
      },
    });
  });

  it('refuses a column named twice', async () => {
    const out = await parseImportCsv(`${HEADER},Tên mô hình\n`);
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.problem.errors).toEqual([
        { row: 1, column: 'Tên mô hình', reason: "the column title appears twice (also as 'title')" },
      ]);
    }
  });

  it('refuses text that is not UTF-8, and UTF-16, saying how to save it', async () => {
    const latin1 = await parseImportCsv(
      Buffer.from(`${HEADER}\nCaf\xe9,d,economic,collective,n,u`, 'latin1'),
    );
    expect(latin1.ok || latin1.problem.message).toMatch(/not UTF-8.*CSV UTF-8/);
    const utf16 = await parseImportCsv(
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(HEADER, 'utf16le')]),
    );
    expect(utf16.ok || utf16.problem.message).toMatch(/UTF-16/);
  });

  it('refuses malformed CSV with the line of the problem (where the unclosed quote opens)', async () => {
    const out = await parseImportCsv(
      `${HEADER}\nok,d,economic,collective,n,u\n"never closed,d,economic,collective,n,u\n`,
    );
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.problem.errors).toEqual([
        {
          row: 3,
          column: null,
          reason: expect.stringMatching(/^the file is not valid CSV: Quote Not Closed/),
        },
      ]);
    }
  });

  it(`refuses more than ${MAX_IMPORT_ROWS} rows`, async () => {
    const rows = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `t${i},d,economic,collective,n,u`);
    const out = await parseImportCsv([HEADER, ...rows].join('\n'));
    expect(out.ok || out.problem).toEqual({
      message: `the file has ${MAX_IMPORT_ROWS + 1} rows; at most ${MAX_IMPORT_ROWS} may be imported at once: split it`,
      errors: [{ row: MAX_IMPORT_ROWS + 2, column: null, reason: expect.stringContaining('at most') }],
    });
    const justRight = await parseImportCsv([HEADER, ...rows.slice(1)].join('\n'));
    expect(justRight.ok).toBe(true);
  });
});

describe('UnitDirectory', () => {
  const resolved = (v: string) => {
    const m = directory.resolve(v);
    return 'unit' in m ? m.unit.id : m.reason;
  };

  it('finds a unit by exact name in any case, then by name without diacritics', () => {
    expect(resolved('Xã Nam Chính')).toBe(ID['Xã Nam Chính|Huyện Đức Linh']);
    expect(resolved('  XÃ NAM   CHÍNH ')).toBe(ID['Xã Nam Chính|Huyện Đức Linh']);
    expect(resolved('xa nam chinh')).toBe(ID['Xã Nam Chính|Huyện Đức Linh']);
    expect(resolved('Huyen Duc Linh')).toBe(ID['Huyện Đức Linh|Tỉnh Bình Thuận']);
    expect(resolved('Xã Nam Chính'.normalize('NFD'))).toBe(ID['Xã Nam Chính|Huyện Đức Linh']);
  });

  it('prefers the exact name when names differ only by diacritics, and calls the rest ambiguous', () => {
    expect(resolved('Xã Tân Thắng')).toBe(ID['Xã Tân Thắng|Huyện Tánh Linh']);
    expect(resolved('Xã Tân Thăng')).toBe(ID['Xã Tân Thăng|Huyện Đức Linh']);
    expect(resolved('xa tan thang')).toBe(
      "'xa tan thang' matches 2 units: Xã Tân Thăng (Huyện Đức Linh), Xã Tân Thắng (Huyện Tánh Linh); write e.g. 'Huyện Tánh Linh / Xã Tân Thắng', or the unit's id",
    );
  });

  it('tells units of one name apart by "Parent / Name", with or without diacritics, or by id', () => {
    expect(resolved('huyen duc linh / xa tan thang')).toBe(ID['Xã Tân Thăng|Huyện Đức Linh']);
    expect(resolved('Huyện Tánh Linh/Xã Tân Thắng')).toBe(ID['Xã Tân Thắng|Huyện Tánh Linh']);
    expect(resolved(ID['Xã Tân Thắng|Huyện Tánh Linh'].toUpperCase())).toBe(
      ID['Xã Tân Thắng|Huyện Tánh Linh'],
    );
    expect(resolved('11111111-1111-4111-8111-111111111111')).toMatch(/^no unit with the id/);
    expect(resolved('Huyện Bắc Bình / Xã Tân Thắng')).toBe(
      "no unit named 'Huyện Bắc Bình / Xã Tân Thắng' among your units",
    );
  });

  it('prefers the one active unit among units of one name; a lone inactive one is still found', () => {
    expect(resolved('Xã Gia An')).toBe(ID['Xã Gia An|Huyện Tánh Linh']);
    expect(resolved('Xã Đồng Kho')).toBe(ID['Xã Đồng Kho|Huyện Tánh Linh']);
  });

  it('uses the fold it is given for the names people type', () => {
    const calls: string[] = [];
    const d = new UnitDirectory(UNITS, (s) => {
      calls.push(s);
      return foldName(s);
    });
    expect('unit' in d.resolve('thi tran vo xu')).toBe(true);
    expect(calls).toEqual(['thi tran vo xu']);
    expect(UnitDirectory.foldKeys(' A  / B ')).toEqual(['A / B', 'A', 'B']);
  });
});

describe('field and kind', () => {
  it.each([
    ['economic', 'economic'],
    ['Kinh tế', 'economic'],
    ['KINH TE', 'economic'],
    ['Văn hóa - xã hội', 'culture_society'],
    ['Văn hoá – Xã hội', 'culture_society'],
    ['Quốc phòng - an ninh', 'defense_security'],
    ['Xây dựng hệ thống chính trị', 'political_system'],
    ['Political_System', 'political_system'],
    ['sports', undefined],
  ])('field %s → %s', (v, f) => expect(parseField(v)).toBe(f));

  it.each([
    ['collective', 'collective'],
    ['Tập thể', 'collective'],
    ['ca nhan', 'individual'],
    ['Cá nhân', 'individual'],
    ['group', undefined],
  ])('kind %s → %s', (v, k) => expect(parseKind(v)).toBe(k));
});

describe('checkImportRows', () => {
  it('accepts good rows, with their unit id and a key of unit, title and nominee', async () => {
    const csv = await parsed(
      `${HEADER}\nChợ phiên  nông sản,Mô tả,Kinh tế,Tập thể,Hội Nông dân,xa nam chinh\n`,
    );
    expect(checkImportRows(csv, directory)).toEqual({
      errors: [],
      rows: [
        {
          line: 2,
          title: 'Chợ phiên  nông sản',
          description: 'Mô tả',
          field: 'economic',
          kind: 'collective',
          nomineeName: 'Hội Nông dân',
          unitId: ID['Xã Nam Chính|Huyện Đức Linh'],
          key: `${ID['Xã Nam Chính|Huyện Đức Linh']}:chợ phiên nông sản:hội nông dân`,
        },
      ],
    });
  });

  it('reports every problem of every row with its line, column as written in the header, and reason', async () => {
    const long = 'x'.repeat(301);
    const csv = await parsed(
      [
        'Tên mô hình;Mô tả;Lĩnh vực;Loại;Tên đơn vị/cá nhân;Đơn vị',
        'Tốt;Mô tả;economic;collective;Hội A;Xã Nam Chính',
        ';;sports;group;;',
        `${long};"hai\ndòng";economic;collective;Hội B;Xã Không Có`,
        'Tốt;Mô tả khác;Kinh tế;Cá nhân;hội  a;XÃ NAM CHÍNH',
        'Thừa;Mô tả;economic;collective;Hội C;Xã Gia An;thừa',
        'Mơ hồ;Mô tả;economic;collective;Hội D;xa tan thang',
      ].join('\n'),
    );
    const { rows, errors } = checkImportRows(csv, directory);
    expect(rows.map((r) => r.line)).toEqual([2]);
    expect(errors).toEqual([
      { row: 3, column: 'Tên mô hình', reason: 'is required' },
      { row: 3, column: 'Mô tả', reason: 'is required' },
      {
        row: 3,
        column: 'Lĩnh vực',
        reason: expect.stringMatching(/^'sports' is not a field; use one of economic/),
      },
      {
        row: 3,
        column: 'Loại',
        reason: expect.stringMatching(/^'group' is not a kind; use one of collective/),
      },
      { row: 3, column: 'Tên đơn vị/cá nhân', reason: 'is required' },
      { row: 3, column: 'Đơn vị', reason: 'is required' },
      { row: 4, column: 'Tên mô hình', reason: 'must be at most 300 characters (has 301)' },
      { row: 4, column: 'Đơn vị', reason: "no unit named 'Xã Không Có' among your units" },
      // Row 4 spans two lines, so the next row starts on line 6.
      {
        row: 6,
        column: null,
        reason: 'repeats row 2 (same unit, title and nominee); a model is registered once',
      },
      {
        row: 7,
        column: null,
        reason: "the row has more values than the header has columns; quote a value that contains ';'",
      },
      { row: 8, column: 'Đơn vị', reason: expect.stringMatching(/^'xa tan thang' matches 2 units/) },
    ]);
    expect(rowErrorsMessage(errors)).toBe('5 rows have errors; nothing was imported');
    expect(rowErrorsMessage(errors.slice(0, 1))).toBe('1 row has errors; nothing was imported');
  });

  it('sees the same title for the same unit under another name of the unit as a repeat', async () => {
    const csv = await parsed(
      [HEADER, 'T,d,economic,collective,N,Thị trấn Võ Xu', 'T,d,economic,collective,N,thi tran vo xu'].join(
        '\n',
      ),
    );
    expect(checkImportRows(csv, directory).errors).toEqual([
      { row: 3, column: null, reason: expect.stringMatching(/^repeats row 2/) },
    ]);
  });
});

describe('runBounded', () => {
  // Each task waits for the test to finish it, so the order tasks end in is chosen, not left to timers.
  const gated = () => {
    const finish = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
    const gate = (n: number) => new Promise<void>((resolve, reject) => finish.set(n, { resolve, reject }));
    return { finish, gate };
  };
  /** One turn of the event loop: every promise already settled has run its continuations. */
  const turn = () => new Promise((r) => setImmediate(r));

  it('runs at most the limit at once, in order, and returns every result', async () => {
    const { finish, gate } = gated();
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const run = runBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      started.push(n);
      running++;
      peak = Math.max(peak, running);
      await gate(n);
      running--;
      return n * 10;
    });
    await turn();
    expect(started).toEqual([1, 2, 3]);
    // Finished out of order: each freed place takes the next item.
    for (const n of [2, 1, 4, 3, 5, 7, 6]) {
      finish.get(n)!.resolve();
      await turn();
    }
    const out = await run;
    expect(peak).toBe(3);
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(out).toEqual([10, 20, 30, 40, 50, 60, 70].map((value) => ({ status: 'done', value })));
  });

  it('starts nothing more after a failure, and waits for what is under way', async () => {
    const { finish, gate } = gated();
    let settled = false;
    const run = runBounded([1, 2, 3, 4, 5, 6], 2, async (n) => {
      await gate(n);
      return n;
    }).finally(() => (settled = true));
    await turn();
    finish.get(2)!.reject(new Error('boom'));
    await turn();
    expect([...finish.keys()]).toEqual([1, 2]); // nothing started after the failure
    expect(settled).toBe(false); // the first is still under way
    finish.get(1)!.resolve();
    expect(await run).toEqual([
      { status: 'done', value: 1 },
      { status: 'failed', error: new Error('boom') },
      { status: 'not_started' },
      { status: 'not_started' },
      { status: 'not_started' },
      { status: 'not_started' },
    ]);
  });
});
