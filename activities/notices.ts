import { log } from '@temporalio/activity';
import type { DataSource, EntityManager } from 'typeorm';
import type { Role } from '../src/domain/nomination';
import type { Mailer } from '../src/notifications/mailer';

/** A message for everyone holding a role in a unit (a unit's reviewers, its administrators). */
export interface Notice {
  unitId: string;
  role: Role;
  /** The kind of step that raised it (an audit action). */
  kind: string;
  message: string;
  /** Addressed to one user of that unit and role (a task's holder) rather than all of them. */
  userId?: string;
}

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
 * Emails one workflow step's notifications not yet emailed, one message per notification, to the
 * addressed unit's active users of that role, and marks each once the server accepted it. A send failure
 * fails the activity: Temporal retries it, the committed step is not applied again, and only the
 * notifications still unmarked are sent. At least once, not exactly once: a crash (or a timed-out attempt
 * overlapping its retry) between sending and marking sends twice.
 */
export async function emailStepNotifications(
  dataSource: DataSource,
  mailer: Mailer,
  step: { workflowId: string; seq: number },
  meta: Record<string, unknown>,
): Promise<void> {
  const pending: { id: string; kind: string; message: string; about: string; recipients: string[] }[] =
    await dataSource.query(
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
  for (const n of pending) {
    const about = {
      ...meta,
      seq: step.seq,
      notificationId: n.id,
      kind: n.kind,
      recipients: n.recipients.length,
    };
    // Nobody to write to is not a failure to retry: the notice stays in-app, and is marked handled.
    if (n.recipients.length > 0) {
      try {
        await mailer.send({
          to: n.recipients,
          subject: `[Dân vận khéo] ${EMAIL_SUBJECTS[n.kind] ?? n.kind}: ${n.about}`,
          text: n.message,
        });
      } catch (err) {
        log.warn('notification email failed; the activity will be retried', { ...about, err });
        throw err;
      }
    }
    await dataSource.query(
      `UPDATE notifications SET emailed_at = now() WHERE id = $1 AND emailed_at IS NULL`,
      [n.id],
    );
    log.info(n.recipients.length > 0 ? 'notification emailed' : 'notification has no email recipient', about);
  }
}
