import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuditAction } from '../../src/contracts/audit';
import { FIELDS, KINDS } from '../../src/domain/nomination';
import {
  AUDIT_ACTION_LABELS,
  AUDIT_ACTIONS,
  FIELD_LABELS,
  KIND_LABELS,
  type Label,
  milestoneOf,
  stageSpan,
  VOCABULARY,
} from '../../src/domain/vocabulary';
import { parseField, parseKind } from '../../src/imports/import-csv';
import { vocabularyModule } from '../../src/web/vocabulary-module';

const ROOT = path.resolve(__dirname, '../..');
/** The one home of the words, and the history that must not change. */
const HOMES = [path.join('src', 'domain', 'vocabulary.ts')];
const SKIPPED = [path.join('src', 'database', 'migrations')];

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (SKIPPED.includes(rel)) return [];
    if (e.isDirectory()) return sources(rel);
    return /\.(ts|js)$/.test(e.name) && !HOMES.includes(rel) ? [rel] : [];
  });
}

const files = ['src', 'activities', 'workflows'].flatMap(sources);
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');

describe('one vocabulary: no copy of its words outside src/domain/vocabulary.ts', () => {
  // The lists whose words are names of things. Audit actions and the report's stage phrases are left out:
  // their words ("Đăng ký", "Nhận việc") are also what the pages' buttons say.
  const named = ['stage', 'decision', 'outcome', 'field', 'kind', 'role', 'level', 'taskKind', 'funnel'];
  /** Where a page's phrase is the same word by coincidence: the register button says "Đăng ký". */
  const allowed = [{ file: path.join('src', 'web', 'public', 'assets', 'i18n.js'), text: 'Đăng ký' }];
  const labels = Object.entries(VOCABULARY)
    .filter(([list]) => named.includes(list))
    .flatMap(([list, { labels }]) =>
      Object.entries<Label>(labels as Record<string, Label>).flatMap(([code, l]) =>
        [l.vi, ...(l.aliases ?? [])].map((text) => ({ text, where: `${list}.${code}` })),
      ),
    );
  // Short verbs ("đăng ký") are ordinary words in sentences; a copied label is written as a whole string.
  const quoted = (text: string) => [`'${text}'`, `"${text}"`, `\`${text}\``];

  it('has files to look at', () => expect(files.length).toBeGreaterThan(50));

  it('writes no Vietnamese label of the vocabulary as a string anywhere else', () => {
    const copies = files.flatMap((f) => {
      const source = read(f);
      return labels
        .filter(({ text }) => /[^ -~]/.test(text) && quoted(text).some((q) => source.includes(q)))
        .filter(({ text }) => !allowed.some((a) => a.file === f && a.text === text))
        .map(({ text, where }) => `${f}: '${text}' (${where})`);
    });
    expect(copies).toEqual([]);
  });

  it('keys no object literal by all four field codes anywhere else', () => {
    const key = (code: string) => new RegExp(`(^|[\\s{,])['"]?${code}['"]?\\s*:`);
    const copies = files.filter((f) =>
      topLevelBlocks(read(f)).some((b) => FIELDS.every((c) => key(c).test(b))),
    );
    expect(copies).toEqual([]);
  });

  it('finds such a copy where there is one', () => {
    const copy = `const X = { economic: { vi: 'a' }, culture_society: 'b', defense_security: 1, political_system: 2 };`;
    expect(topLevelBlocks(copy).some((b) => FIELDS.every((c) => b.includes(`${c}:`)))).toBe(true);
  });
});

/** Every `{ … }` of the source with the blocks nested in it emptied: what is left are its own keys. */
function topLevelBlocks(source: string): string[] {
  const blocks: string[] = [];
  const stack: { start: number }[] = [];
  let text = '';
  for (const c of source) {
    if (c === '{') {
      stack.push({ start: text.length });
      text += c;
    } else if (c === '}' && stack.length) {
      const open = stack.pop()!;
      const block = text.slice(open.start) + c;
      blocks.push(block);
      text = text.slice(0, open.start) + '{}';
    } else text += c;
  }
  return blocks;
}

describe('the vocabulary', () => {
  it('has a Vietnamese and an English label for every value of every list', () => {
    for (const [list, { values, labels }] of Object.entries(VOCABULARY)) {
      const l = labels as Record<string, Label>;
      expect([list, Object.keys(l).sort()]).toEqual([list, [...values].sort()]);
      for (const v of values) {
        expect(l[v].vi.trim()).not.toBe('');
        expect(l[v].en.trim()).not.toBe('');
      }
    }
  });

  it('reads a field or a kind as its code, its labels in both languages, and the old short forms', () => {
    for (const f of FIELDS) {
      for (const text of [f, FIELD_LABELS[f].vi, FIELD_LABELS[f].en, ...(FIELD_LABELS[f].aliases ?? [])]) {
        expect([text, parseField(text)]).toEqual([text, f]);
      }
    }
    for (const k of KINDS) {
      for (const text of [k, KIND_LABELS[k].vi, KIND_LABELS[k].en]) expect(parseKind(text)).toBe(k);
    }
    // What the pages show, and what the import accepted before the vocabulary was one.
    expect(parseField('Phát triển kinh tế')).toBe('economic');
    expect(parseField('phat trien kinh te')).toBe('economic');
    expect(parseField('Kinh tế')).toBe('economic');
    expect(parseField('Văn hóa - xã hội')).toBe('culture_society');
    expect(parseField('Thể thao')).toBeUndefined();
  });

  it('maps each advancing decision to its milestone, and each stage to the span between two', () => {
    expect(milestoneOf('district_review', 'recognize')).toBe('districtRecognized');
    expect(milestoneOf('recognition', 'recognize')).toBe('recognized');
    expect(milestoneOf('provincial_proposal', 'propose')).toBe('proposed');
    expect(milestoneOf('district_review', 'not_recognize')).toBeUndefined();
    expect(milestoneOf(null, 'recognize')).toBeUndefined();
    expect(stageSpan('district_registration')).toEqual({ from: 'created', to: 'accepted' });
    expect(stageSpan('recognition')).toEqual({ from: 'recommended', to: 'recognized' });
  });

  it('is served to the pages as an ES module with the same labels', () => {
    const { body, etag } = vocabularyModule();
    expect(etag).toMatch(/^"[\w-]+"$/);
    const exported = (name: string): unknown =>
      JSON.parse(new RegExp(`^export const ${name} = (.*?);$`, 'ms').exec(body)![1]);
    const served = exported('VOCABULARY') as Record<string, { labels: Record<string, Label> }>;
    expect(served.field.labels.economic).toEqual({
      vi: FIELD_LABELS.economic.vi,
      en: FIELD_LABELS.economic.en,
    });
    expect(Object.keys(served)).toEqual(Object.keys(VOCABULARY));
    expect(exported('STAGES')).toHaveLength(5);
  });
});

// The audit actions the vocabulary labels are the contracts' own, no more and no fewer (checked by tsc).
const everyActionLabelled: Record<AuditAction, Label> = AUDIT_ACTION_LABELS;
const onlyActions: readonly AuditAction[] = AUDIT_ACTIONS;
void [everyActionLabelled, onlyActions];
