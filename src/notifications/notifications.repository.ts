import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '../domain/nomination';
import { Notification } from './notification.entity';

/** Addressed to the caller: to them by name, or to everyone of their unit and role. */
const MINE = `(n.recipient_user_id = :userId OR
               (n.recipient_user_id IS NULL AND n.recipient_unit_id = :unitId AND n.recipient_role = :role))`;

export interface Recipient {
  userId: string;
  unitId: string;
  role: Role;
}

/** One row of `email_outbox`, as a round claims it. */
export interface OutboxEmail {
  id: string;
  notification_id: string;
  nomination_id: string | null;
  campaign_id: string | null;
  workflow_id: string;
  seq: number;
  to_address: string;
  /** Null since notices have templates: rendered from the notification when sent. */
  subject: string | null;
  body: string | null;
  /** Counting the attempt this round makes. */
  attempts: number;
  /** The notification's, to render it. */
  kind: string;
  template: string | null;
  params: unknown;
  message: string | null;
  /** The nomination's title, or the campaign's name. */
  about: string;
}

/** All SQL of notifications and their email outbox. Built on a DataSource, or a transaction's manager. */
@Injectable()
export class NotificationsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource | EntityManager) {}

  /** The recipient's notifications, newest first; `before` continues after the page that ended with it. */
  list(r: Recipient, q: { limit: number; unread?: boolean; before?: string }): Promise<Notification[]> {
    const query = this.db
      .getRepository(Notification)
      .createQueryBuilder('n')
      .where(MINE, { userId: r.userId, unitId: r.unitId, role: r.role })
      // created_at is when the step happened, not when it was written: ids break ties, and the cursor
      // compares both, so a page boundary between equal times neither repeats nor skips a row.
      .orderBy('n.created_at', 'DESC')
      .addOrderBy('n.id', 'DESC')
      .limit(q.limit);
    if (q.unread) query.andWhere('n.read_at IS NULL');
    if (q.before) {
      query.andWhere(
        `(n.created_at, n.id) < (SELECT c.created_at, c.id FROM notifications c
                                 WHERE c.id = :before AND ${MINE.replaceAll('n.', 'c.')})`,
        { before: q.before },
      );
    }
    return query.getMany();
  }

  /** Marks the recipient's notification read (keeping the first time) and returns it. */
  async markRead(r: Recipient, id: string): Promise<Notification | null> {
    const repo = this.db.getRepository(Notification);
    const mine = { ...r, id };
    await repo
      .createQueryBuilder('n')
      .update()
      .set({ readAt: () => 'now()' })
      .where(`id = :id AND read_at IS NULL AND ${MINE.replaceAll('n.', '')}`, mine)
      .execute();
    return repo.createQueryBuilder('n').where(`n.id = :id AND ${MINE}`, mine).getOne();
  }

  /**
   * Claims the due emails in one short statement (`FOR UPDATE SKIP LOCKED`, so concurrent senders take
   * different rows), moving each one's next attempt `claimMs` ahead.
   */
  async claimDueEmails(batchSize: number, claimMs: number): Promise<OutboxEmail[]> {
    // TypeORM answers an UPDATE with [rows, count].
    const [claimed]: [OutboxEmail[], number] = await this.db.query(
      `WITH due AS (
         SELECT id FROM email_outbox
          WHERE sent_at IS NULL AND next_attempt_at <= now()
          ORDER BY next_attempt_at
          LIMIT $1
          FOR UPDATE SKIP LOCKED)
       UPDATE email_outbox o
          SET attempts = o.attempts + 1, next_attempt_at = now() + $2 * interval '1 millisecond'
         FROM due, notifications n
              LEFT JOIN nominations nom ON nom.id = n.nomination_id
              LEFT JOIN campaigns c ON c.id = n.campaign_id
        WHERE o.id = due.id AND n.id = o.notification_id
       RETURNING o.id, o.notification_id, o.nomination_id, o.campaign_id, o.workflow_id, o.seq, o.to_address,
                 o.subject, o.body, o.attempts, n.kind, n.template, n.params, n.message,
                 COALESCE(nom.title, c.name, '') AS about`,
      [batchSize, claimMs],
    );
    return claimed;
  }

  /** Back to the queue after `retryInMs`, unless another sender has claimed it since. */
  async emailFailed(e: OutboxEmail, retryInMs: number, error: string): Promise<void> {
    await this.db.query(
      `UPDATE email_outbox SET next_attempt_at = now() + $3 * interval '1 millisecond', last_error = $4
        WHERE id = $1 AND attempts = $2 AND sent_at IS NULL`,
      [e.id, e.attempts, retryInMs, error],
    );
  }

  /**
   * Marks the email sent and, once none of its notification's emails is left, the notification emailed.
   * The notification row is locked first, so two senders marking its last two emails do not both miss it.
   */
  async emailSent(e: OutboxEmail): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(`SELECT 1 FROM notifications WHERE id = $1 FOR UPDATE`, [e.notification_id]);
      await m.query(`UPDATE email_outbox SET sent_at = now() WHERE id = $1 AND sent_at IS NULL`, [e.id]);
      await m.query(
        `UPDATE notifications SET emailed_at = now()
          WHERE id = $1 AND emailed_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM email_outbox WHERE notification_id = $1 AND sent_at IS NULL)`,
        [e.notification_id],
      );
    });
  }
}
