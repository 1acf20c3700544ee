import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import { jsonLog } from '../logging/json-log';
import { type ListNotificationsQuery, NOTIFICATIONS_PAGE_DEFAULT, NotificationDto } from './notification.dto';
import { Notification } from './notification.entity';

/** Addressed to the caller: to them by name, or to everyone of their unit and role. */
const MINE = `(n.recipient_user_id = :userId OR
               (n.recipient_user_id IS NULL AND n.recipient_unit_id = :unitId AND n.recipient_role = :role))`;

/**
 * The caller's notifications: those addressed to them, or to their unit and role. Written only by the workflow's
 * activity; people read them and mark them read, nothing else.
 */
@Injectable()
export class NotificationsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Newest first; `before` continues after the page that ended with that id. */
  async list(user: CurrentUser, q: ListNotificationsQuery): Promise<NotificationDto[]> {
    const query = this.dataSource
      .getRepository(Notification)
      .createQueryBuilder('n')
      .where(MINE, { userId: user.id, unitId: user.unitId, role: user.role })
      // created_at is when the step happened, not when it was written: ids break ties, and the cursor
      // compares both, so a page boundary between equal times neither repeats nor skips a row.
      .orderBy('n.created_at', 'DESC')
      .addOrderBy('n.id', 'DESC')
      .limit(q.limit ?? NOTIFICATIONS_PAGE_DEFAULT);
    if (q.unread) query.andWhere('n.read_at IS NULL');
    if (q.before) {
      query.andWhere(
        `(n.created_at, n.id) < (SELECT c.created_at, c.id FROM notifications c
                                 WHERE c.id = :before AND ${MINE.replaceAll('n.', 'c.')})`,
        { before: q.before },
      );
    }
    return (await query.getMany()).map((n) => NotificationDto.of(n));
  }

  /** Marks one of the caller's notifications read; marking it again keeps the first time. */
  async markRead(user: CurrentUser, id: string): Promise<NotificationDto> {
    const repo = this.dataSource.getRepository(Notification);
    const mine = { userId: user.id, unitId: user.unitId, role: user.role, id };
    await repo
      .createQueryBuilder('n')
      .update()
      .set({ readAt: () => 'now()' })
      .where(`id = :id AND read_at IS NULL AND ${MINE.replaceAll('n.', '')}`, mine)
      .execute();
    const n = await repo.createQueryBuilder('n').where(`n.id = :id AND ${MINE}`, mine).getOne();
    // Another unit's notification is as unknown to the caller as one that does not exist.
    if (!n) throw new NotFoundException('notification not found');
    jsonLog('debug', 'notification read', {
      component: 'notifications',
      nominationId: n.nominationId,
      campaignId: n.campaignId,
      workflowId: n.workflowId,
      notificationId: n.id,
      userId: user.id,
    });
    return NotificationDto.of(n);
  }
}
