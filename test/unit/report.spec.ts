import { BOM, csvCell, toCsv } from '../../src/reports/csv';
import { escapeHtml } from '../../src/reports/html';
import { type FunnelCell, percent, shapeReport } from '../../src/reports/report';
import { reportCsv, reportCsvHeader, reportFileName, reportHtml } from '../../src/reports/report-render';

const campaign = {
  id: 'c1',
  name: 'Dân vận khéo 2023',
  year: 2023,
  provinceUnitId: 'p',
  provinceName: 'Tỉnh Bình Thuận',
  closedAt: null,
};

const cell = (districtUnitId: string, c: Partial<FunnelCell>): FunnelCell => ({
  districtUnitId,
  field: 'economic',
  kind: 'collective',
  registered: 0,
  districtRecognized: 0,
  proposed: 0,
  recognized: 0,
  ...c,
});

/** A small report: one unit with an awkward name, one unit that did nothing, one inactive unit. */
function sample() {
  return shapeReport({
    campaign,
    generatedAt: new Date('2024-01-15T03:00:00Z'),
    units: [
      { id: 'a', name: 'Huyện "Bắc", Bình <mới> & cũ', active: true },
      { id: 'b', name: 'Huyện Đức Linh', active: true },
      { id: 'c', name: 'Huyện Cũ', active: false },
    ],
    cells: [
      cell('a', { registered: 10, districtRecognized: 4, proposed: 2, recognized: 1 }),
      cell('a', { kind: 'individual', field: 'culture_society', registered: 5, districtRecognized: 1 }),
      cell('b', { field: 'defense_security', registered: 3 }),
      cell('c', { registered: 2, districtRecognized: 2 }),
    ],
    closedStages: { district_registration: new Date('2023-10-20T10:00:00Z') },
  });
}

describe('CSV', () => {
  it('quotes commas, quotes, line breaks and edge spaces, and leaves plain text and numbers alone', () => {
    expect(csvCell('Huyện Đức Linh')).toBe('Huyện Đức Linh');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line 1\nline 2')).toBe('"line 1\nline 2"');
    expect(csvCell('cr\r')).toBe('"cr\r"');
    expect(csvCell(' padded')).toBe('" padded"');
    expect(csvCell(20.8)).toBe('20.8');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(new Date('2024-01-02T03:04:05.000Z'))).toBe('2024-01-02T03:04:05.000Z');
  });

  it('keeps spreadsheet formulas in text from running', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it('starts with a UTF-8 BOM and ends every line with CRLF', () => {
    const text = toCsv(
      ['Đơn vị', 'Số'],
      [
        ['Xã Nam Chính', 3],
        ['a,b', null],
      ],
    );
    expect(text.startsWith(BOM)).toBe(true);
    expect(text).toBe('\uFEFFĐơn vị,Số\r\nXã Nam Chính,3\r\n"a,b",\r\n');
    // Encoded, the BOM is the three bytes spreadsheet programs look for.
    expect([...Buffer.from(text, 'utf8').subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });
});

describe('HTML escaping', () => {
  it('escapes the five HTML special characters', () => {
    expect(escapeHtml(`<script>alert('x') & "y"</script>`)).toBe(
      '&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;',
    );
    expect(escapeHtml('Huyện Đức Linh')).toBe('Huyện Đức Linh');
    expect(escapeHtml(null)).toBe('');
  });

  it('renders a self-contained printable page with every name escaped', () => {
    const html = reportHtml(sample());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<script|<link|src=/i);
    expect(html).toContain('Huyện &quot;Bắc&quot;, Bình &lt;mới&gt; &amp; cũ');
    expect(html).not.toContain('<mới>');
    expect(html).toContain('Báo cáo kết quả phong trào thi đua “Dân vận khéo” năm 2023');
    expect(html).toContain('Theo đơn vị');
    expect(html).toContain('Theo lĩnh vực');
    expect(html).toContain('Đơn vị chưa nộp');
    expect(html).toContain('chưa nộp: Huyện Đức Linh');
    expect(html).toContain('Tổng cộng');
  });
});

describe('the report’s shape', () => {
  it('sums units, fields and totals from the same cells; rates are null when dividing by zero', () => {
    const r = sample();
    expect(r.totals.registered).toEqual({ total: 20, collective: 15, individual: 5 });
    expect(r.totals.districtRecognized).toEqual({ total: 7, collective: 6, individual: 1 });
    expect(r.totals.recognized).toEqual({ total: 1, collective: 1, individual: 0 });
    for (const step of ['registered', 'districtRecognized', 'proposed', 'recognized'] as const) {
      expect(r.units.reduce((s, u) => s + u[step].total, 0)).toBe(r.totals[step].total);
      expect(r.fields.reduce((s, f) => s + f[step].total, 0)).toBe(r.totals[step].total);
      expect(r.kinds.reduce((s, k) => s + k[step].total, 0)).toBe(r.totals[step].total);
    }
    expect(r.totals.conversion).toEqual({
      districtRecognizedOfRegistered: 35,
      proposedOfDistrictRecognized: 28.6,
      recognizedOfProposed: 50,
    });
    const ducLinh = r.units.find((u) => u.name === 'Huyện Đức Linh')!;
    expect(ducLinh.conversion).toEqual({
      districtRecognizedOfRegistered: 0,
      proposedOfDistrictRecognized: null,
      recognizedOfProposed: null,
    });
    expect(percent(155, 746)).toBe(20.8);
    expect(percent(39, 155)).toBe(25.2);
    expect(percent(22, 39)).toBe(56.4);
    expect(percent(1, 0)).toBeNull();
  });

  it('lists the active units that submitted nothing at each unit stage; an inactive unit still counts in the sums', () => {
    const r = sample();
    expect(r.units.map((u) => u.name)).toEqual([
      'Huyện "Bắc", Bình <mới> & cũ',
      'Huyện Cũ',
      'Huyện Đức Linh',
    ]);
    expect(r.stages.map((s) => [s.stage, s.submitted, s.total, s.missing.map((m) => m.name)])).toEqual([
      ['district_registration', 2, 2, []],
      ['district_review', 1, 2, ['Huyện Đức Linh']],
      ['provincial_proposal', 1, 2, ['Huyện Đức Linh']],
    ]);
    expect(r.stages[0].closedAt).toEqual(new Date('2023-10-20T10:00:00Z'));
    expect(r.stages[2].summary).toBe('1/2 đơn vị đã đề xuất; chưa đề xuất: Huyện Đức Linh');
  });

  it('writes one CSV line per unit then the total, with the names quoted as needed', () => {
    const r = sample();
    const lines = reportCsv(r).slice(1).split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(1 + 3 + 1);
    expect(lines[0]).toBe(reportCsvHeader().join(','));
    expect(lines[1]).toBe('"Huyện ""Bắc"", Bình <mới> & cũ",15,10,5,5,4,1,2,2,0,1,1,0,33.3,40,50');
    expect(lines[3]).toBe('Huyện Đức Linh,3,3,0,0,0,0,0,0,0,0,0,0,0,,');
    expect(lines[4]).toBe('Tổng cộng,20,15,5,7,6,1,2,2,0,1,1,0,35,28.6,50');
    expect(reportFileName(r, 'csv')).toBe('bao-cao-2023.csv');
  });
});
