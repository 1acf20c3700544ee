import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { noticeText } from '../../src/domain/notices';
import { reconcile } from '../../src/reconcile/reconcile';
import type { ClientStats } from './client';
import type { Driven, Round } from './drive';
import { expectedActions, expectedAuditCount, expectedNotifications } from './script';
import type { ReceivedMail } from './services';

export interface CheckResult {
  name: string;
  /** 'not checked': the thing to check does not exist on this branch yet. */
  result: 'PASS' | 'FAIL' | 'NOT CHECKED';
  figures: string;
  /** A few examples of what failed. */
  examples?: string[];
}

const EXAMPLES = 5;

function result(name: string, failures: string[], figures: string): CheckResult {
  return { name, result: failures.length ? 'FAIL' : 'PASS', figures, examples: failures.slice(0, EXAMPLES) };
}

/** Every nomination driven to the end of its script and at its scripted outcome and revision count. */
export async function checkOutcomes(ds: DataSource, driven: Driven[]): Promise<CheckResult> {
  const failures: string[] = [];
  const rows = await byId<{ id: string; stage: string; outcome: string | null; revisions: number }>(
    ds,
    `SELECT id, stage, outcome, revisions FROM nominations WHERE id = ANY($1::uuid[])`,
    driven,
  );
  let atOutcome = 0;
  for (const d of driven) {
    if (d.failure) failures.push(`#${d.n} (${d.script.name}): ${d.failure}`);
    const row = d.nominationId ? rows.get(d.nominationId) : undefined;
    if (row?.stage === 'closed' && row.outcome === d.script.outcome && row.revisions === d.script.revisions) {
      atOutcome++;
    } else if (!d.failure) {
      failures.push(
        `#${d.n} (${d.script.name}): ${row ? `${row.stage}/${row.outcome}/${row.revisions} revisions` : 'no row'}`,
      );
    }
  }
  return result(
    'every nomination at its scripted outcome',
    failures,
    `${atOutcome}/${driven.length} at their outcome`,
  );
}

/**
 * Each audit event exactly once: per nomination the script's actions in order, seq 1..n without gap or
 * repeat, one registration.
 */
export async function checkAudit(ds: DataSource, driven: Driven[]): Promise<CheckResult> {
  const rows = await byId<{
    id: string;
    count: number;
    distinct_seqs: number;
    max_seq: number;
    registered: number;
    actions: string;
  }>(
    ds,
    `SELECT nomination_id AS id, COUNT(*)::int AS count, COUNT(DISTINCT seq)::int AS distinct_seqs,
            COALESCE(MAX(seq), 0)::int AS max_seq, COUNT(*) FILTER (WHERE action = 'registered')::int AS registered,
            string_agg(action, ' ' ORDER BY seq) AS actions
       FROM audit_events
      WHERE nomination_id = ANY($1::uuid[]) AND workflow_id = 'nomination-' || nomination_id
      GROUP BY nomination_id`,
    driven,
  );
  const failures: string[] = [];
  let expected = 0;
  let found = 0;
  for (const d of driven) {
    if (!d.nominationId) continue;
    const want = expectedAuditCount(d.script);
    expected += want;
    const r = rows.get(d.nominationId);
    found += r?.count ?? 0;
    const actions = expectedActions(d.script).join(' ');
    if (
      !r ||
      r.count !== want ||
      r.distinct_seqs !== r.count ||
      r.max_seq !== r.count ||
      r.registered !== 1 ||
      r.actions !== actions
    ) {
      failures.push(
        `#${d.n} (${d.script.name}): ${r ? `${r.count} events, seqs 1..${r.max_seq} (${r.distinct_seqs} distinct): ${r.actions}` : 'no events'}; expected ${want}: ${actions}`,
      );
    }
  }
  return result(
    'each audit event exactly once (expected actions, seq 1..n without gap)',
    failures,
    `${found} events, ${expected} expected`,
  );
}

/** The workers run with EMAIL_CLAIM_MS=10 s and a 1–5 s backoff (main.ts): the outbox drains well within this. */
const OUTBOX_DRAIN_MS = 60_000;

/**
 * Each notification recorded once and emailed at least once: per nomination the expected notifications,
 * each found among the messages the SMTP server accepted (to the submitter, with its text); and, where
 * the email outbox exists, each of its rows sent.
 */
export async function checkNotifications(
  ds: DataSource,
  driven: Driven[],
  round: Round,
  received: ReceivedMail[],
): Promise<CheckResult[]> {
  const notes = await ds.query(
    `SELECT id::text, nomination_id, template, params, message FROM notifications
      WHERE nomination_id = ANY($1::uuid[]) ORDER BY id`,
    [ids(driven)],
  );
  const byNomination = new Map<
    string,
    { id: string; template: string | null; params: unknown; message: string | null }[]
  >();
  for (const n of notes) byNomination.set(n.nomination_id, [...(byNomination.get(n.nomination_id) ?? []), n]);
  const recorded: string[] = [];
  const emailed: string[] = [];
  let expected = 0;
  let mailed = 0;
  for (const d of driven) {
    if (!d.nominationId) continue;
    const want = expectedNotifications(d.script);
    expected += want;
    const got = byNomination.get(d.nominationId) ?? [];
    if (got.length !== want)
      recorded.push(`#${d.n} (${d.script.name}): ${got.length} notifications, expected ${want}`);
    const to = round.submitterEmails.get(d.unitId)!;
    for (const note of got) {
      if (received.some((m) => m.to.includes(to) && m.text === noticeText(note, 'vi').trim())) mailed++;
      else emailed.push(`#${d.n}: notification ${note.id} never reached ${to}`);
    }
  }
  const checks = [
    result('each notification recorded once', recorded, `${notes.length} recorded, ${expected} expected`),
    result(
      'each notification emailed at least once (SMTP server)',
      emailed,
      `${mailed}/${notes.length} emailed; the server accepted ${received.length} messages`,
    ),
  ];
  const [outbox] = await ds.query(`SELECT to_regclass('email_outbox') IS NOT NULL AS present`);
  if (!outbox.present) {
    checks.push({
      name: 'email outbox: every row sent',
      result: 'NOT CHECKED',
      figures: 'no email_outbox table on this branch',
    });
  } else {
    // At least once, not at once: a worker killed mid-send leaves its claim to lapse (EMAIL_CLAIM_MS).
    for (let waited = 0; waited < OUTBOX_DRAIN_MS; waited += 1000) {
      const [left] = await ds.query(
        `SELECT count(*)::int AS n FROM email_outbox o JOIN notifications n ON n.id = o.notification_id
          WHERE n.nomination_id = ANY($1::uuid[]) AND o.sent_at IS NULL`,
        [ids(driven)],
      );
      if (left.n === 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const rows: { notification_id: string; to_address: string; sent_at: Date | null; attempts: number }[] =
      await ds.query(
        `SELECT o.notification_id::text, o.to_address, o.sent_at, o.attempts
           FROM email_outbox o JOIN notifications n ON n.id = o.notification_id
          WHERE n.nomination_id = ANY($1::uuid[])`,
        [ids(driven)],
      );
    const unsent = rows
      .filter((r) => !r.sent_at)
      .map((r) => `notification ${r.notification_id} to ${r.to_address} unsent after ${r.attempts} attempts`);
    const missing = notes
      .filter((n: { id: string }) => !rows.some((r) => r.notification_id === n.id))
      .map((n: { id: string }) => `notification ${n.id} has no outbox row`);
    const attempts = rows.reduce((s, r) => s + r.attempts, 0);
    checks.push(
      result(
        'email outbox: every row sent',
        [...missing, ...unsent],
        `${rows.length} rows, ${attempts} attempts`,
      ),
    );
  }
  return checks;
}

export function checkServerErrors(stats: ClientStats): CheckResult {
  const byRoute = new Map<string, number>();
  for (const e of stats.serverErrors) {
    const route = `${e.status} ${e.method} ${e.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id').replace(/\?.*$/, '')}`;
    byRoute.set(route, (byRoute.get(route) ?? 0) + 1);
  }
  const routes = [...byRoute].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${n}× ${r}`);
  return result(
    'no 5xx other than 503',
    stats.serverErrors.map((e) => `${e.status} ${e.method} ${e.path}: ${e.body}`),
    `${stats.serverErrors.length} answers of 5xx other than 503${routes.length ? ` (${routes.join(', ')})` : ''}`,
  );
}

export function checkRetriedAnswers(driven: Driven[]): CheckResult {
  const refused = driven.filter((d) => d.refusedRetries.length > 0);
  const total = refused.reduce((s, d) => s + d.refusedRetries.length, 0);
  return result(
    'a retried request gets the first answer (no 409 for an applied request)',
    refused.map(
      (d) => `#${d.n} (${d.script.name}): answered 409 although applied: ${d.refusedRetries.join('; ')}`,
    ),
    `${total} retried requests refused`,
  );
}

/** The read model equal to each workflow's queried state: the administrator's reconcile, report only. */
export async function checkReadModel(ds: DataSource, client: Client, driven: Driven[]): Promise<CheckResult> {
  const report = await reconcile(ds, client, { nominationIds: ids(driven), callTimeoutMs: 30_000 });
  const failures = report.entries
    .filter((e) => e.status !== 'equal')
    .map(
      (e) =>
        `${e.nominationId}: ${e.status} ${JSON.stringify(e.differences)}${e.error ? ` (${e.error})` : ''}`,
    );
  const counts = Object.entries(report.counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  return result(
    'read model equal to each workflow’s state (reconcile)',
    failures,
    counts || 'nothing compared',
  );
}

function ids(driven: Driven[]): string[] {
  return driven.flatMap((d) => (d.nominationId ? [d.nominationId] : []));
}

async function byId<T extends { id: string }>(
  ds: DataSource,
  sql: string,
  driven: Driven[],
): Promise<Map<string, T>> {
  const rows: T[] = await ds.query(sql, [ids(driven)]);
  return new Map(rows.map((r) => [r.id, r]));
}
