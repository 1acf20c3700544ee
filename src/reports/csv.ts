/**
 * CSV as spreadsheet programs read it (RFC 4180): comma-separated, CRLF line ends, a field quoted when it
 * holds a comma, a quote, a line break or edge spaces, quotes doubled. The text starts with a UTF-8 byte
 * order mark so Excel opens Vietnamese names as UTF-8 rather than the system code page.
 */

export const BOM = '\uFEFF';

export type CsvValue = string | number | boolean | Date | null | undefined;

/**
 * One field. Text starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'` so a
 * spreadsheet shows it rather than running it as a formula (user-written comments end up here).
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString();
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: CsvValue[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}

/** A whole document: the BOM, the header line, one line per row. */
export function toCsv(header: string[], rows: CsvValue[][]): string {
  return BOM + csvLine(header) + rows.map(csvLine).join('');
}
