/** The campaign report as a spreadsheet (CSV) and as a printable page (HTML). Pure functions. */
import { type CsvValue, toCsv } from './csv';
import { escapeHtml } from './html';
import {
  type CampaignReport,
  CONVERSION_LABELS,
  CONVERSIONS,
  type Funnel,
  FUNNEL_LABELS,
  FUNNEL_STEPS,
  KIND_LABELS,
} from './report';

export const TOTAL_LABEL = 'Tổng cộng';

export function reportFileName(report: CampaignReport, ext: 'csv' | 'html'): string {
  return `bao-cao-${report.campaign.year}.${ext}`;
}

/** The header of the CSV: the unit, each funnel step (total, collective, individual), the three rates. */
export function reportCsvHeader(): string[] {
  return [
    'Đơn vị',
    ...FUNNEL_STEPS.flatMap((s) => [
      FUNNEL_LABELS[s],
      `${FUNNEL_LABELS[s]} - ${KIND_LABELS.collective.toLowerCase()}`,
      `${FUNNEL_LABELS[s]} - ${KIND_LABELS.individual.toLowerCase()}`,
    ]),
    ...CONVERSIONS.map((c) => `Tỷ lệ ${CONVERSION_LABELS[c.key].toLowerCase()} (%)`),
  ];
}

function funnelValues(f: Funnel): CsvValue[] {
  return [
    ...FUNNEL_STEPS.flatMap((s) => [f[s].total, f[s].collective, f[s].individual]),
    ...CONVERSIONS.map((c) => f.conversion[c.key]),
  ];
}

/** One line per district-level unit, then the total line; UTF-8 with a BOM. */
export function reportCsv(report: CampaignReport): string {
  return toCsv(reportCsvHeader(), [
    ...report.units.map((u) => [u.name, ...funnelValues(u)]),
    [TOTAL_LABEL, ...funnelValues(report.totals)],
  ]);
}

const number = new Intl.NumberFormat('vi-VN');
const pct = (v: number | null) => (v === null ? '–' : `${number.format(v)}%`);
const when = (d: Date) =>
  new Intl.DateTimeFormat('vi-VN', {
    dateStyle: 'short',
    timeStyle: 'short',
    timeZone: 'Asia/Ho_Chi_Minh',
  }).format(d);

function funnelHead(first: string): string {
  const steps = FUNNEL_STEPS.map((s) => `<th colspan="3">${escapeHtml(FUNNEL_LABELS[s])}</th>`).join('');
  const rates = CONVERSIONS.map((c) => `<th rowspan="2">${escapeHtml(CONVERSION_LABELS[c.key])}</th>`).join(
    '',
  );
  const split = FUNNEL_STEPS.map(
    () => `<th>Tổng</th><th>${KIND_LABELS.collective}</th><th>${KIND_LABELS.individual}</th>`,
  ).join('');
  return `<thead><tr><th rowspan="2">${escapeHtml(first)}</th>${steps}${rates}</tr><tr>${split}</tr></thead>`;
}

function funnelCells(f: Funnel): string {
  const counts = FUNNEL_STEPS.map(
    (s) =>
      `<td class="n">${number.format(f[s].total)}</td><td class="n">${number.format(f[s].collective)}</td>` +
      `<td class="n">${number.format(f[s].individual)}</td>`,
  ).join('');
  return counts + CONVERSIONS.map((c) => `<td class="n">${pct(f.conversion[c.key])}</td>`).join('');
}

function funnelTable(first: string, rows: { label: string; funnel: Funnel; note?: string }[], total: Funnel) {
  const body = rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.label)}${r.note ? ` <small>(${escapeHtml(r.note)})</small>` : ''}</td>${funnelCells(r.funnel)}</tr>`,
    )
    .join('\n');
  return (
    `<table>${funnelHead(first)}\n<tbody>\n${body}\n</tbody>\n` +
    `<tfoot><tr><td>${TOTAL_LABEL}</td>${funnelCells(total)}</tr></tfoot></table>`
  );
}

const STYLE = `
  body { font-family: "Times New Roman", Times, serif; color: #000; margin: 24px; font-size: 12pt; }
  header { text-align: center; margin-bottom: 16px; }
  header .org { font-weight: bold; text-transform: uppercase; margin: 0; }
  h1 { font-size: 16pt; margin: 8px 0 4px; }
  h2 { font-size: 13pt; margin: 18px 0 6px; }
  .meta { font-style: italic; margin: 0; }
  table { border-collapse: collapse; width: 100%; font-size: 10pt; }
  th, td { border: 1px solid #333; padding: 3px 5px; vertical-align: top; }
  th { background: #eee; text-align: center; }
  td.n { text-align: right; white-space: nowrap; }
  tfoot td { font-weight: bold; }
  ul { margin: 4px 0; }
  @page { size: A4 landscape; margin: 12mm; }
  @media print {
    body { margin: 0; font-size: 11pt; }
    th { background: none; }
    thead { display: table-header-group; }
    tfoot { display: table-row-group; }
    tr { break-inside: avoid; page-break-inside: avoid; }
    h2 { break-after: avoid; page-break-after: avoid; }
  }`;

/** A self-contained page (no scripts, no external files) with a print stylesheet; all text escaped. */
export function reportHtml(report: CampaignReport): string {
  const c = report.campaign;
  const t = report.totals;
  const title = `Báo cáo kết quả phong trào thi đua “Dân vận khéo” năm ${c.year}`;
  const overview = FUNNEL_STEPS.map((s, i) => {
    const rate = i > 0 ? ` (${pct(t.conversion[CONVERSIONS[i - 1].key])})` : '';
    return (
      `<li>${escapeHtml(FUNNEL_LABELS[s])}: <strong>${number.format(t[s].total)}</strong> mô hình${rate} — ` +
      `${number.format(t[s].collective)} tập thể, ${number.format(t[s].individual)} cá nhân</li>`
    );
  }).join('\n');
  const missing = report.stages
    .map(
      (s) =>
        `<li><strong>${escapeHtml(s.label)}</strong>: ${s.submitted}/${s.total} đơn vị đã nộp` +
        (s.closedAt ? ` (kết thúc ${escapeHtml(when(s.closedAt))})` : '') +
        (s.missing.length
          ? `; chưa nộp: ${s.missing.map((m) => escapeHtml(m.name)).join(', ')}`
          : '; không có đơn vị nào thiếu') +
        '</li>',
    )
    .join('\n');
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}
</style>
</head>
<body>
<header>
<p class="org">${escapeHtml(c.provinceName)}</p>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(c.name)} · Số liệu lúc ${escapeHtml(when(report.generatedAt))}</p>
</header>
<section>
<h2>I. Tổng hợp</h2>
<ul>
${overview}
</ul>
</section>
<section>
<h2>II. Theo đơn vị</h2>
${funnelTable(
  'Đơn vị',
  report.units.map((u) => ({ label: u.name, funnel: u, note: u.active ? undefined : 'ngừng hoạt động' })),
  t,
)}
</section>
<section>
<h2>III. Theo lĩnh vực</h2>
${funnelTable(
  'Lĩnh vực',
  report.fields.map((f) => ({ label: f.label, funnel: f })),
  t,
)}
</section>
<section>
<h2>IV. Đơn vị chưa nộp</h2>
<ul>
${missing}
</ul>
</section>
</body>
</html>
`;
}
