import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import { jsonLog } from '../logging/json-log';
import { type ListNotificationsQuery, NOTIFICATIONS_PAGE_DEFAULT, NotificationDto } from './notification.dto';
import { Notification } from './notification.entity';

/**
 * The caller's notifications: those addressed to their unit and role. Written only by the workflow's
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
      .where('n.recipient_unit_id = :unitId AND n.recipient_role = :role', {
        unitId: user.unitId,
        role: user.role,
      })
      // created_at is when the step happened, not when it was written: ids break ties, and the cursor
      // compares both, so a page boundary between equal times neither repeats nor skips a row.
      .orderBy('n.created_at', 'DESC')
      .addOrderBy('n.id', 'DESC')
      .limit(q.limit ?? NOTIFICATIONS_PAGE_DEFAULT);
    if (q.unread) query.andWhere('n.read_at IS NULL');
    if (q.before) {
      query.andWhere(
        `(n.created_at, n.id) < (SELECT c.created_at, c.id FROM notifications c
                                 WHERE c.id = :before AND c.recipient_unit_id = :unitId AND c.recipient_role = :role)`,
        { before: q.before },
      );
    }
    return (await query.getMany()).map((n) => NotificationDto.of(n));
  }

  /** Marks one of the caller's notifications read; marking it again keeps the first time. */
  async markRead(user: CurrentUser, id: string): Promise<NotificationDto> {
    const repo = this.dataSource.getRepository(Notification);
    const mine = { id, recipientUnitId: user.unitId, recipientRole: user.role };
    await repo.update({ ...mine, readAt: IsNull() }, { readAt: () => 'now()' });
    const n = await repo.findOneBy(mine);
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
