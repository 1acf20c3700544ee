import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ACTIONS,
  fitsTask,
  globalActions,
  may,
  POLICY,
  rowOf,
  scopeOf,
} from '../../src/domain/access-policy';
import { ROLES } from '../../src/domain/nomination';

const ROOT = path.join(__dirname, '..', '..');

describe('access policy', () => {
  const admin = { id: 'a', role: 'admin', unitId: 'province' } as const;
  const reviewer = { id: 'r', role: 'district_reviewer', unitId: 'district' } as const;
  const submitter = { userId: 's', role: 'submitter', unitId: 'commune' } as const;
  const task = { assigneeRole: 'district_reviewer', assigneeUnitId: 'district', assigneeUserId: null };

  it('answers by role without a target and by scope with one', () => {
    expect(may(admin, 'task.reassign')).toBe(true);
    expect(may(reviewer, 'task.reassign')).toBe(false);
    expect(may(reviewer, 'task.claim', { task })).toBe(true);
    expect(may({ ...reviewer, unitId: 'other' }, 'task.claim', { task })).toBe(false);
    expect(may(admin, 'task.claim', { task })).toBe(false);
    expect(may(reviewer, 'task.unclaim', { task })).toBe(false);
    expect(may(reviewer, 'task.unclaim', { task: { ...task, assigneeUserId: 'r' } })).toBe(true);
    expect(may(admin, 'task.decide', { task, inSubtree: false })).toBe(false);
    expect(may(admin, 'task.decide', { task, inSubtree: true })).toBe(true);
    expect(may(submitter, 'nomination.withdraw', { unitId: 'commune' })).toBe(true);
    expect(may(submitter, 'nomination.withdraw', { unitId: 'elsewhere' })).toBe(false);
    expect(may(admin, 'nomination.withdraw', { unitId: 'elsewhere' })).toBe(true);
    expect(may(reviewer, 'user.view', { userId: 'r' })).toBe(true);
    expect(may(reviewer, 'user.view', { userId: 'x' })).toBe(false);
    // A scope that needs the unit tree is never granted by default.
    expect(may(admin, 'unit.create', {})).toBe(false);
    expect(scopeOf(reviewer, 'task.view')).toBe('assigned');
    expect(fitsTask(undefined, task)).toBe(false);
  });

  it('gives every action to at least one role, and only with a known scope', () => {
    const scopes = ['any', 'own_unit', 'unit_subtree', 'assigned', 'held', 'self'];
    for (const action of ACTIONS) {
      const row = rowOf(action);
      expect([action, Object.values(row).some(Boolean)]).toEqual([action, true]);
      for (const role of Object.keys(POLICY[action])) expect(ROLES).toContain(role);
      for (const scope of Object.values(row).filter(Boolean)) expect(scopes).toContain(scope);
    }
    expect(globalActions(admin)).toContain('audit.view');
    expect(globalActions(reviewer)).not.toContain('audit.view');
  });

  it('is the only place that compares roles (API, workflows, activities, pages)', () => {
    const allowed = new Set(['src/domain/access-policy.ts']);
    const skipped = [/^src\/database\/migrations\//, /^src\/database\/seed\.ts$/];
    const ROLE_NAMES = ROLES.join('|');
    const checks = [
      /\.role\s*[!=]==/, // user.role === …
      /[!=]==\s*[\w.?]*\.role\b/, // … === user.role
      /\brole\s*[!=]==\s*['"`]/, // role === 'admin'
      new RegExp(`[!=]==\\s*['"\`](${ROLE_NAMES})['"\`]`), // … === 'admin'
      /\.includes\(\s*[\w.?]*\.role\s*\)/, // ['a', 'b'].includes(user.role)
      /\broles\s*:\s*\[/, // a hand-written list of roles that may do something (a menu entry's)
      /_ROLES\b/, // PROVINCIAL_ROLES and the like
    ];
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = `${dir}/${entry.name}`;
        if (entry.isDirectory()) walk(rel);
        else if (
          /\.(ts|js|mjs)$/.test(entry.name) &&
          !allowed.has(rel) &&
          !skipped.some((s) => s.test(rel))
        ) {
          fs.readFileSync(path.join(ROOT, rel), 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (checks.some((c) => c.test(line))) found.push(`${rel}:${i + 1}: ${line.trim()}`);
            });
        }
      }
    };
    for (const dir of ['src', 'workflows', 'activities']) walk(dir);
    expect(found).toEqual([]);
  });

  it('is documented in docs/access-control.md, every action with its scopes', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'access-control.md'), 'utf8');
    // The doc's table, read back cell by cell (Prettier pads the columns); policyTable() renders it anew.
    const cells = (line: string) =>
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
    const table = doc.split('\n').filter((l) => l.startsWith('| `'));
    const documented = table.filter((l) => /^\| `[a-z]+\.[a-z]+`/.test(l)).map(cells);
    const expected = policyTable().split('\n').slice(2).map(cells);
    expect(documented).toEqual(expected);
  });
});

/** The policy as the Markdown table docs/access-control.md shows. */
export function policyTable(): string {
  const head = `| Action | ${ROLES.join(' | ')} |`;
  const rule = `|---|${ROLES.map(() => '---').join('|')}|`;
  const rows = ACTIONS.map((a) => {
    const row = rowOf(a);
    return `| \`${a}\` | ${ROLES.map((r) => (row[r] ? `\`${row[r]}\`` : '—')).join(' | ')} |`;
  });
  return [head, rule, ...rows].join('\n');
}
