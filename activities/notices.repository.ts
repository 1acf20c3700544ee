import type { EntityManager } from 'typeorm';
import type { Notice } from '../src/contracts/projection';

/**
 * The notice as stored: its template and parameters; or, for a notice written by workflow code from
 * before templates (an activity it scheduled that runs after an upgrade), its Vietnamese text.
 */
function stored(n: Notice): { template: string | null; params: string | null; message: string | null } {
  if (n.content)
    return { template: n.content.template, params: JSON.stringify(n.content.params), message: null };
  return { template: null, params: null, message: n.message ?? '' };
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
  },
  notices: Notice[],
): Promise<void> {
  for (const [i, n] of notices.entries()) {
    const { template, params, message } = stored(n);
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
