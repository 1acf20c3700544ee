import type { EntityManager } from 'typeorm';
import type { Notice } from '../src/contracts/projection';
import type { NominationStage, Stage } from '../src/domain/nomination';
import { type NoticeContent, renderNotice } from '../src/domain/notices';

/** A notice made by an activity, which knows its template and parameters. */
export type TemplatedNotice = Omit<Notice, 'message'> & { content: NoticeContent };

/** What the step itself says, where a workflow's message leaves it implicit. */
interface StepFacts {
  stageBefore?: NominationStage | null;
  comment?: string | null;
  actor?: { displayName: string } | null;
}

const STAGE = '([a-z_]+)';
const TIME = '(\\S+?)';
/** `"<title>" (<stage> | bổ sung, chỉnh sửa): <rest>`, as the workflow writes about a task. */
const TASK = new RegExp(`^"(.*)" \\((bổ sung, chỉnh sửa|[a-z_]+)\\): (.*)$`, 's');

/**
 * A workflow notice's template and parameters, read from the text the nomination workflow wrote (the
 * Vietnamese of src/domain/notices.ts, word for word) and the step's own facts. Kept only when the
 * template renders that text back exactly; undefined otherwise, and the notice is stored as its text.
 * Done here rather than in the workflow so the workflow code, and what its histories record, stay as
 * they are.
 */
export function noticeContent(
  kind: string,
  message: string,
  step: StepFacts = {},
): NoticeContent | undefined {
  const content = readMessage(kind, message, step);
  return content && renderNotice(content, 'vi') === message ? content : undefined;
}

function readMessage(kind: string, message: string, step: StepFacts): NoticeContent | undefined {
  if (kind === 'decided') {
    const m = /^Yêu cầu bổ sung, chỉnh sửa mô hình "(.*)": (.*)$/s.exec(message);
    if (!m) return undefined;
    // The comment is the step's own: the title is what lies between.
    const comment = step.comment ?? m[2];
    const title = message.slice('Yêu cầu bổ sung, chỉnh sửa mô hình "'.length, -`": ${comment}`.length);
    return { template: 'revision_requested', params: { title, comment } };
  }
  if (kind === 'reassigned') {
    const by = step.actor?.displayName;
    const lead = `${by} đã giao cho bạn xử lý "`;
    if (!by || !message.startsWith(lead)) return undefined;
    const m = new RegExp(`^(.*)" \\(${STAGE}\\), hạn ${TIME}\\.$`, 's').exec(message.slice(lead.length));
    if (!m) return undefined;
    return { template: 'task_reassigned', params: { by, title: m[1], stage: m[2] as Stage, dueAt: m[3] } };
  }
  const t = TASK.exec(message);
  if (!t) return undefined;
  const revision = t[2] === 'bổ sung, chỉnh sửa';
  const stage = (revision ? step.stageBefore : t[2]) as Stage;
  const ref = { title: t[1], stage, revision };
  const rest = t[3];
  let m: RegExpExecArray | null;
  switch (kind) {
    case 'reminder':
      m = new RegExp(`^còn (\\d+) giờ đến hạn ${TIME}\\.$`).exec(rest);
      return m
        ? { template: 'task_reminder', params: { ...ref, hoursLeft: Number(m[1]), dueAt: m[2] } }
        : undefined;
    case 'overdue':
    case 'escalated':
      m = new RegExp(`^quá hạn ${TIME}(?: \\((\\d+) giờ\\))?\\.$`).exec(rest);
      return m
        ? {
            template: 'task_overdue',
            params: { ...ref, dueAt: m[1], lateHours: m[2] === undefined ? null : Number(m[2]) },
          }
        : undefined;
    case 'closed_at_cutoff':
      m = new RegExp(`^quá hạn chót, đã đóng \\(${STAGE}\\)\\.$`).exec(rest);
      return m ? { template: 'closed_at_cutoff', params: { ...ref, outcome: m[1] as never } } : undefined;
    case 'deadline_extended':
      m = new RegExp(`^gia hạn đến ${TIME}, hạn chót ${TIME}\\. (.*)$`, 's').exec(rest);
      return m && !revision
        ? {
            template: 'deadline_extended',
            params: { title: ref.title, stage, dueAt: m[1], cutoffAt: m[2], reason: m[3] },
          }
        : undefined;
    default:
      return undefined;
  }
}

/** The notice as stored: its template and parameters, or (a text no template renders) its text. */
function stored(
  n: Notice | TemplatedNotice,
  step: StepFacts,
): { template: string | null; params: string | null; message: string | null } {
  const content = 'content' in n ? n.content : noticeContent(n.kind, n.message, step);
  if (content) return { template: content.template, params: JSON.stringify(content.params), message: null };
  return { template: null, params: null, message: (n as Notice).message };
}

/** Stores a step's notices, keyed by (workflow, seq, index) so a retried step stores them once. */
export async function insertNotices(
  m: EntityManager,
  step: {
    workflowId: string;
    seq: number;
    occurredAt: string;
    nominationId?: string;
    campaignId?: string;
  } & StepFacts,
  notices: (Notice | TemplatedNotice)[],
): Promise<void> {
  for (const [i, n] of notices.entries()) {
    const { template, params, message } = stored(n, step);
    await m.query(
      `INSERT INTO notifications (workflow_id, seq, idx, nomination_id, campaign_id, recipient_unit_id,
                                  recipient_role, kind, message, created_at, recipient_user_id, template, params)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (workflow_id, seq, idx) DO NOTHING`,
      [
        step.workflowId,
        step.seq,
        i,
        step.nominationId ?? null,
        step.campaignId ?? null,
        n.unitId,
        n.role,
        n.kind,
        message,
        step.occurredAt,
        n.userId ?? null,
        template,
        params,
      ],
    );
  }
}

/**
 * Queues the emails of one step's notifications in the step's own transaction: one row of `email_outbox`
 * per notification and address, to the addressed unit's active users of that role who have an address (or
 * to the one addressed user). Nothing here talks to SMTP: the worker's email sender delivers the rows
 * later, so a mail server that is down never holds up the step. A notification with nobody to write to is
 * marked handled at once (`emailed_at`), as before; the others are marked by the sender once all their
 * emails are sent.
 */
export async function queueStepEmails(
  m: EntityManager,
  step: { workflowId: string; seq: number },
): Promise<number> {
  const notices: { id: string; recipients: string[] }[] = await m.query(
    `SELECT n.id,
            COALESCE(ARRAY(SELECT DISTINCT u.email FROM users u
                            WHERE u.unit_id = n.recipient_unit_id AND u.role = n.recipient_role
                              AND (n.recipient_user_id IS NULL OR u.id = n.recipient_user_id) AND u.active AND u.email IS NOT NULL AND u.email <> ''
                            ORDER BY u.email), '{}') AS recipients
       FROM notifications n
      WHERE n.workflow_id = $1 AND n.seq = $2 AND n.emailed_at IS NULL
      ORDER BY n.idx`,
    [step.workflowId, step.seq],
  );
  const ids: string[] = [];
  const addresses: string[] = [];
  for (const n of notices) {
    for (const to of n.recipients) {
      ids.push(n.id);
      addresses.push(to);
    }
  }
  const unaddressed = notices.filter((n) => n.recipients.length === 0).map((n) => n.id);
  if (unaddressed.length > 0) {
    await m.query(`UPDATE notifications SET emailed_at = now() WHERE id = ANY($1::bigint[])`, [unaddressed]);
  }
  if (ids.length === 0) return 0;
  // No subject or body: the sender renders them from the notification when it sends (src/domain/notices.ts).
  const queued: unknown[] = await m.query(
    `INSERT INTO email_outbox (notification_id, nomination_id, campaign_id, workflow_id, seq, to_address)
     SELECT e.notification_id, n.nomination_id, n.campaign_id, n.workflow_id, n.seq, e.to_address
       FROM unnest($1::bigint[], $2::text[]) AS e (notification_id, to_address)
       JOIN notifications n ON n.id = e.notification_id
     ON CONFLICT (notification_id, to_address) DO NOTHING
     RETURNING id`,
    [ids, addresses],
  );
  return queued.length;
}
