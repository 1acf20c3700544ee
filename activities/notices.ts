import type { EntityManager } from 'typeorm';
import type { Notice } from '../src/contracts/projection';

/** Stores a step's notices, keyed by (workflow, seq, index) so a retried step stores them once. */
export async function insertNotices(
  m: EntityManager,
  step: { workflowId: string; seq: number; occurredAt: string; nominationId?: string; campaignId?: string },
  notices: Notice[],
): Promise<void> {
  for (const [i, n] of notices.entries()) {
    await m.query(
      `INSERT INTO notifications (workflow_id, seq, idx, nomination_id, campaign_id, recipient_unit_id,
                                  recipient_role, kind, message, created_at, recipient_user_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
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
        n.message,
        step.occurredAt,
        n.userId ?? null,
      ],
    );
  }
}

/** Subject lines of notification emails, by the kind of step that raised them. */
const EMAIL_SUBJECTS: Record<string, string> = {
  registered: 'Đăng ký mô hình',
  // The one notice a decision raises is the revision request to the submitters.
  decided: 'Yêu cầu bổ sung, chỉnh sửa',
  resubmitted: 'Hồ sơ đã bổ sung',
  withdrawn: 'Hồ sơ đã rút',
  reminder: 'Nhắc hạn',
  overdue: 'Quá hạn',
  escalated: 'Quá hạn',
  deadline_changed: 'Thay đổi thời hạn',
  closed_at_cutoff: 'Đã đóng do quá hạn chót',
  stage_reminder: 'Đơn vị chưa nộp',
  stage_closed: 'Kết thúc giai đoạn',
  reassigned: 'Được giao xử lý',
  deadline_extended: 'Gia hạn',
  cancelled: 'Hồ sơ bị hủy',
};

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
  const notices: { id: string; kind: string; message: string; about: string; recipients: string[] }[] =
    await m.query(
      `SELECT n.id, n.kind, n.message, COALESCE(nom.title, c.name, '') AS about,
              COALESCE(ARRAY(SELECT DISTINCT u.email FROM users u
                              WHERE u.unit_id = n.recipient_unit_id AND u.role = n.recipient_role
                                AND (n.recipient_user_id IS NULL OR u.id = n.recipient_user_id) AND u.active AND u.email IS NOT NULL AND u.email <> ''
                              ORDER BY u.email), '{}') AS recipients
         FROM notifications n
         LEFT JOIN nominations nom ON nom.id = n.nomination_id
         LEFT JOIN campaigns c ON c.id = n.campaign_id
        WHERE n.workflow_id = $1 AND n.seq = $2 AND n.emailed_at IS NULL
        ORDER BY n.idx`,
      [step.workflowId, step.seq],
    );
  const ids: string[] = [];
  const addresses: string[] = [];
  const subjects: string[] = [];
  const bodies: string[] = [];
  for (const n of notices) {
    for (const to of n.recipients) {
      ids.push(n.id);
      addresses.push(to);
      subjects.push(`[Dân vận khéo] ${EMAIL_SUBJECTS[n.kind] ?? n.kind}: ${n.about}`);
      bodies.push(n.message);
    }
  }
  const unaddressed = notices.filter((n) => n.recipients.length === 0).map((n) => n.id);
  if (unaddressed.length > 0) {
    await m.query(`UPDATE notifications SET emailed_at = now() WHERE id = ANY($1::bigint[])`, [unaddressed]);
  }
  if (ids.length === 0) return 0;
  const queued: unknown[] = await m.query(
    `INSERT INTO email_outbox (notification_id, nomination_id, campaign_id, workflow_id, seq, to_address,
                               subject, body)
     SELECT e.notification_id, n.nomination_id, n.campaign_id, n.workflow_id, n.seq, e.to_address,
            e.subject, e.body
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])
            AS e (notification_id, to_address, subject, body)
       JOIN notifications n ON n.id = e.notification_id
     ON CONFLICT (notification_id, to_address) DO NOTHING
     RETURNING id`,
    [ids, addresses, subjects, bodies],
  );
  return queued.length;
}
