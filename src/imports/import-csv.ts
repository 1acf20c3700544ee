/**
 * Bulk registration from a CSV file: decoding, parsing and checking every row, with no database and no
 * clock, so that all of it is unit-tested on its own. The service (imports.service.ts) supplies the
 * caller's units and checks what only the database knows (whether a unit may register).
 */
import { parse } from 'csv-parse';
import { textProblem } from '../common/text';
import { FIELDS, KINDS, type Field, type Kind } from '../domain/nomination';
import { FIELD_LABELS, foldName, KIND_LABELS, looseKey, valueReader } from '../domain/vocabulary';

/** At most this many rows (below the header) in one file. */
export const MAX_IMPORT_ROWS = 5000;

export const IMPORT_COLUMNS = ['title', 'description', 'field', 'kind', 'nomineeName', 'unit'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** The Vietnamese header accepted for each column (matched, like the English one, ignoring case and diacritics). */
export const VIETNAMESE_HEADERS: Record<ImportColumn, string> = {
  title: 'Tên mô hình',
  description: 'Mô tả',
  field: 'Lĩnh vực',
  kind: 'Loại',
  nomineeName: 'Tên đơn vị/cá nhân',
  unit: 'Đơn vị',
};

const MAX_LENGTH: Record<'title' | 'description' | 'nomineeName', number> = {
  title: 300,
  description: 10000,
  nomineeName: 300,
};

/**
 * One problem in the file. `row` is the 1-based line number in the file where the row starts (the
 * header is line 1; a quoted value spanning lines counts them all); `column` the header as written in
 * the file, or null when the problem is the row (or the file) as a whole.
 */
export interface ImportProblem {
  row: number;
  column: string | null;
  reason: string;
}

export interface CsvRow {
  /** Line in the file where the row starts. */
  line: number;
  values: Record<ImportColumn, string>;
  /** How many values the row has beyond the header's columns that are not empty. */
  extraValues: number;
}

export interface ParsedCsv {
  delimiter: ',' | ';';
  /** Each column's header as written in the file. */
  headers: Record<ImportColumn, string>;
  headerCount: number;
  rows: CsvRow[];
}

/** A file that cannot be read as a whole: nothing in it is checked row by row. */
export interface FileProblem {
  message: string;
  errors: ImportProblem[];
}

export type ParseOutcome = { ok: true; csv: ParsedCsv } | { ok: false; problem: FileProblem };

// Headers, labels and unit names are compared loosely, as the vocabulary compares its words.
export { foldName };

/** NFC, trimmed, inner whitespace collapsed, lower-cased: what makes two titles (or names) the same. */
export function normalizeText(s: string): string {
  return s.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

const HEADER_KEYS = new Map<string, ImportColumn>(
  IMPORT_COLUMNS.flatMap((c) => [
    [looseKey(c), c],
    [looseKey(VIETNAMESE_HEADERS[c]), c],
  ]),
);

function decode(input: Buffer | string): { text: string } | { problem: FileProblem } {
  if (typeof input === 'string') return { text: input.replace(/^\uFEFF/, '') };
  if (
    (input[0] === 0xff && input[1] === 0xfe) ||
    (input[0] === 0xfe && input[1] === 0xff) ||
    // UTF-16 without a byte order mark: every other byte of ASCII text is zero.
    (input.length >= 4 && input[1] === 0 && input[3] === 0)
  ) {
    return fileProblem('the file is UTF-16 text; save it as "CSV UTF-8" and send it again');
  }
  try {
    // Strips a UTF-8 byte order mark.
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(input) };
  } catch {
    return fileProblem(
      'the file is not UTF-8 text; save it as "CSV UTF-8" (Excel: File > Save As > CSV UTF-8) and send it again',
    );
  }
}

function fileProblem(reason: string, row = 1, column: string | null = null): { problem: FileProblem } {
  return { problem: { message: reason, errors: [{ row, column, reason }] } };
}

/** The separator is the one of `,` and `;` that the header line (outside quotes) has more of. */
export function detectDelimiter(headerLine: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const c of headerLine) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === ',') commas++;
    else if (!quoted && c === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

function parseRecords(text: string, delimiter: string): Promise<{ record: string[]; line: number }[]> {
  return new Promise((resolve, reject) => {
    parse(
      text,
      {
        delimiter,
        record_delimiter: '\n',
        info: true,
        relax_quotes: true,
        relax_column_count: true,
        skip_empty_lines: true,
        max_record_size: 1_000_000,
      },
      (err, output) => {
        if (err) return reject(err);
        // With `info`, each record comes as { record, info }.
        const records = output as unknown as { record: string[]; info: { lines: number } }[];
        resolve(
          records.map(({ record, info }) => ({
            record,
            // `lines` is the line the record ends on; newlines can only be inside its (quoted) values.
            line: info.lines - record.reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0),
          })),
        );
      },
    );
  });
}

const blank = (record: string[]) => record.every((v) => v.trim() === '');

/**
 * Reads a CSV file: UTF-8 with or without a byte order mark, any line endings, `,` or `;` separated
 * (detected from the header), values optionally quoted (quotes doubled inside, separators and line
 * breaks allowed). The header row names the columns in English or Vietnamese, in any order, ignoring
 * case and diacritics; other columns are ignored.
 */
export async function parseImportCsv(input: Buffer | string): Promise<ParseOutcome> {
  const decoded = decode(input);
  if ('problem' in decoded) return { ok: false, problem: decoded.problem };
  const text = decoded.text.replace(/\r\n?/g, '\n');
  const expected = IMPORT_COLUMNS.join(', ');
  if (text.trim() === '') {
    return {
      ok: false,
      ...fileProblem(`the file is empty; it needs a header row (${expected}) and one row per model`),
    };
  }
  const firstLine = text.split('\n').find((l) => l.trim() !== '') ?? '';
  const delimiter = detectDelimiter(firstLine);
  let records: { record: string[]; line: number }[];
  try {
    records = (await parseRecords(text, delimiter)).filter((r) => !blank(r.record));
  } catch (err) {
    const e = err as Error & { lines?: number };
    const reason = `the file is not valid CSV: ${e.message}`;
    return { ok: false, ...fileProblem(reason, e.lines ?? 1) };
  }
  const [header, ...rows] = records;
  if (!header) {
    return {
      ok: false,
      ...fileProblem(`the file is empty; it needs a header row (${expected}) and one row per model`),
    };
  }

  const index = new Map<ImportColumn, number>();
  const headers = {} as Record<ImportColumn, string>;
  const errors: ImportProblem[] = [];
  header.record.forEach((raw, i) => {
    const name = raw.normalize('NFC').trim();
    const column = HEADER_KEYS.get(looseKey(name));
    if (!column) return;
    if (index.has(column)) {
      errors.push({
        row: header.line,
        column: name,
        reason: `the column ${column} appears twice (also as '${headers[column]}')`,
      });
      return;
    }
    index.set(column, i);
    headers[column] = name;
  });
  const missing = IMPORT_COLUMNS.filter((c) => !index.has(c));
  for (const c of missing) {
    errors.push({
      row: header.line,
      column: c,
      reason: `the header has no column ${c} (or '${VIETNAMESE_HEADERS[c]}')`,
    });
  }
  if (errors.length) {
    const what = missing.length
      ? `the header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`
      : 'the header names a column twice';
    return {
      ok: false,
      problem: { message: `${what}; the columns are ${expected}`, errors },
    };
  }
  if (rows.length === 0) {
    return { ok: false, ...fileProblem('the file has a header but no rows below it', header.line + 1) };
  }
  if (rows.length > MAX_IMPORT_ROWS) {
    return {
      ok: false,
      ...fileProblem(
        `the file has ${rows.length} rows; at most ${MAX_IMPORT_ROWS} may be imported at once: split it`,
        rows[MAX_IMPORT_ROWS].line,
      ),
    };
  }
  return {
    ok: true,
    csv: {
      delimiter,
      headers,
      headerCount: header.record.length,
      rows: rows.map(({ record, line }) => ({
        line,
        values: Object.fromEntries(
          IMPORT_COLUMNS.map((c) => [
            c,
            (record[index.get(c)!] ?? '').replace(/\r\n?/g, '\n').normalize('NFC').trim(),
          ]),
        ) as Record<ImportColumn, string>,
        extraValues: record.slice(header.record.length).filter((v) => v.trim() !== '').length,
      })),
    },
  };
}

// ---------------------------------------------------------------- units

/** A unit of the caller's subtree, as the directory matches names against it. */
export interface UnitEntry {
  id: string;
  name: string;
  level: string;
  active: boolean;
  /** `lower(immutable_unaccent(name))`, as PostgreSQL generates it. */
  searchName: string;
  parentName: string | null;
  parentSearchName: string | null;
}

export type UnitMatch = { unit: UnitEntry } | { reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Finds a unit by what a person typed: its exact name (NFC, any case); else its name without
 * diacritics (matched with `search_name`); else "Parent / Name" to tell apart units of the same name;
 * or its id. When several units match, an active district-level or grassroots one (one that may
 * register) is preferred; several such are ambiguous, and the answer names them.
 * `fold` must treat text as PostgreSQL's `lower(immutable_unaccent(…))` does.
 */
export class UnitDirectory {
  private readonly byId = new Map<string, UnitEntry>();
  private readonly byName = new Map<string, UnitEntry[]>();
  private readonly byFolded = new Map<string, UnitEntry[]>();

  constructor(
    units: UnitEntry[],
    private readonly fold: (s: string) => string = foldName,
  ) {
    for (const u of units) {
      this.byId.set(u.id.toLowerCase(), u);
      push(this.byName, normalizeText(u.name), u);
      push(this.byFolded, squeeze(u.searchName), u);
    }
  }

  /** The texts `fold` will be asked about for a value: the value, and its parts around the last `/`. */
  static foldKeys(value: string): string[] {
    const v = value.normalize('NFC').trim().replace(/\s+/g, ' ');
    const slash = v.lastIndexOf('/');
    return slash < 0 ? [v] : [v, v.slice(0, slash).trim(), v.slice(slash + 1).trim()];
  }

  resolve(value: string): UnitMatch {
    const v = value.normalize('NFC').trim().replace(/\s+/g, ' ');
    if (UUID.test(v)) {
      const unit = this.byId.get(v.toLowerCase());
      return unit ? { unit } : { reason: `no unit with the id ${v} among your units` };
    }
    const found = this.named(v);
    if (found) return found;
    const slash = v.lastIndexOf('/');
    if (slash > 0) {
      const parent = v.slice(0, slash).trim();
      const name = v.slice(slash + 1).trim();
      const exactParent = normalizeText(parent);
      const foldedParent = this.fold(parent);
      const under = (list: UnitEntry[] | undefined) =>
        (list ?? []).filter(
          (u) =>
            (u.parentName !== null && normalizeText(u.parentName) === exactParent) ||
            (u.parentSearchName !== null && squeeze(u.parentSearchName) === foldedParent),
        );
      const byPath =
        pick(v, under(this.byName.get(normalizeText(name)))) ??
        pick(v, under(this.byFolded.get(this.fold(name))));
      if (byPath) return byPath;
    }
    return { reason: `no unit named '${v}' among your units` };
  }

  private named(v: string): UnitMatch | undefined {
    return pick(v, this.byName.get(normalizeText(v))) ?? pick(v, this.byFolded.get(this.fold(v)));
  }
}

const squeeze = (s: string) => s.replace(/\s+/g, ' ').trim();

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const mayRegister = (u: UnitEntry) => u.active && u.level !== 'province';

function pick(value: string, list: UnitEntry[] | undefined): UnitMatch | undefined {
  if (!list?.length) return undefined;
  const eligible = list.filter(mayRegister);
  if (eligible.length === 1) return { unit: eligible[0] };
  if (eligible.length === 0 && list.length === 1) return { unit: list[0] };
  const candidates = eligible.length ? eligible : list;
  const described = candidates
    .map((u) => (u.parentName ? `${u.name} (${u.parentName})` : u.name))
    .sort((a, b) => a.localeCompare(b, 'vi'));
  const example = candidates.find((u) => u.parentName);
  return {
    reason:
      `'${value}' matches ${candidates.length} units: ${described.join(', ')}` +
      (example ? `; write e.g. '${example.parentName} / ${example.name}', or the unit's id` : ''),
  };
}

// ---------------------------------------------------------------- rows

export interface ImportRow {
  line: number;
  title: string;
  description: string;
  field: Field;
  kind: Kind;
  nomineeName: string;
  unitId: string;
  /** Same unit, title and nominee (normalized): two rows with one key are one model. */
  key: string;
}

export interface RowCheck {
  rows: ImportRow[];
  errors: ImportProblem[];
}

/**
 * A field given as its code, its Vietnamese or English label (the words the pages show) or an alias the
 * import accepted before (vocabulary.ts), in any case, with or without diacritics.
 */
export const parseField: (value: string) => Field | undefined = valueReader(FIELDS, FIELD_LABELS);

export const parseKind: (value: string) => Kind | undefined = valueReader(KINDS, KIND_LABELS);

const spelled = (labels: Record<string, { vi: string }>) =>
  Object.values(labels)
    .map((l) => l.vi)
    .join(', ');

/**
 * Checks every row, and reports every problem of every row: required values, lengths, field and kind,
 * the unit (found, not ambiguous), and rows repeating an earlier row of the file (same unit, title and
 * nominee). Errors are ordered by row, then by column as in IMPORT_COLUMNS.
 */
export function checkImportRows(csv: ParsedCsv, units: UnitDirectory): RowCheck {
  const errors: ImportProblem[] = [];
  const rows: ImportRow[] = [];
  const seen = new Map<string, number>();
  for (const { line, values, extraValues } of csv.rows) {
    const problems: ImportProblem[] = [];
    const problem = (column: ImportColumn | null, reason: string) =>
      problems.push({ row: line, column: column && csv.headers[column], reason });

    // The same text rule as every other input (src/common/text.ts): a NUL would reach PostgreSQL.
    for (const column of IMPORT_COLUMNS) {
      const reason = textProblem(values[column]);
      if (reason) problem(column, reason);
    }
    if (extraValues > 0) {
      problem(
        null,
        `the row has more values than the header has columns; quote a value that contains '${csv.delimiter}'`,
      );
    }
    const text = (column: 'title' | 'description' | 'nomineeName') => {
      const v = values[column];
      const length = [...v].length;
      if (v === '') problem(column, 'is required');
      else if (length > MAX_LENGTH[column]) {
        problem(column, `must be at most ${MAX_LENGTH[column]} characters (has ${length})`);
      }
    };
    text('title');
    text('description');
    const field = parseField(values.field);
    if (values.field === '') problem('field', 'is required');
    else if (!field) {
      problem(
        'field',
        `'${values.field}' is not a field; use one of ${FIELDS.join(', ')} (or ${spelled(FIELD_LABELS)})`,
      );
    }
    const kind = parseKind(values.kind);
    if (values.kind === '') problem('kind', 'is required');
    else if (!kind) {
      problem(
        'kind',
        `'${values.kind}' is not a kind; use one of ${KINDS.join(', ')} (or ${spelled(KIND_LABELS)})`,
      );
    }
    text('nomineeName');
    let unitId: string | undefined;
    if (values.unit === '') problem('unit', 'is required');
    else {
      const match = units.resolve(values.unit);
      if ('reason' in match) problem('unit', match.reason);
      else unitId = match.unit.id;
    }

    if (unitId && values.title && values.nomineeName) {
      const key = `${unitId}:${normalizeText(values.title)}:${normalizeText(values.nomineeName)}`;
      const first = seen.get(key);
      if (first !== undefined) {
        problem(null, `repeats row ${first} (same unit, title and nominee); a model is registered once`);
      } else seen.set(key, line);
      if (problems.length === 0) {
        rows.push({
          line,
          title: values.title,
          description: values.description,
          field: field!,
          kind: kind!,
          nomineeName: values.nomineeName,
          unitId,
          key,
        });
      }
    }
    errors.push(...problems);
  }
  return { rows, errors };
}

/** "3 rows have errors; nothing was imported" */
export function rowErrorsMessage(errors: ImportProblem[]): string {
  const n = new Set(errors.map((e) => e.row)).size;
  return `${n} ${n === 1 ? 'row has' : 'rows have'} errors; nothing was imported`;
}
