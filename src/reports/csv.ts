import { type Options, stringify } from 'csv-stringify/sync';

/*
 * CSV as spreadsheet programs read it (RFC 4180, written by csv-stringify): comma-separated, CRLF line
 * ends, quotes doubled. A field with edge spaces is quoted too, so a spreadsheet keeps them. The text
 * starts with a UTF-8 byte order mark so Excel opens Vietnamese names as UTF-8 rather than the system
 * code page.
 */

export const BOM = '\uFEFF';

export type CsvValue = string | number | boolean | Date | null | undefined;

/*
 * Text starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'` so a spreadsheet
 * shows it rather than running it as a formula (user-written comments end up here). Only text: a negative
 * number is a number.
 */
const OPTIONS: Options = {
  record_delimiter: 'windows',
  quoted_match: [/^\s|\s$/, /[\r\n]/],
  cast: {
    string: (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text),
    number: (n: number) => (Number.isFinite(n) ? String(n) : ''),
    boolean: (b: boolean) => (b ? 'true' : 'false'),
    date: (d: Date) => d.toISOString(),
  },
};

/** One field, as it appears between the commas. */
export function csvCell(value: CsvValue): string {
  return stringify([[value]], { ...OPTIONS, record_delimiter: '' });
}

/** A whole document: the BOM, the header line, one line per row. */
export function toCsv(header: string[], rows: CsvValue[][]): string {
  return stringify([header, ...rows], { ...OPTIONS, bom: true });
}
