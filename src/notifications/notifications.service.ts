import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import type { Lang } from '../domain/vocabulary';
import { jsonLog } from '../logging/logger';
import {
  type ListNotificationsQuery,
  NOTIFICATIONS_PAGE_DEFAULT,
  type NotificationDto,
  toNotificationDto,
} from './notification.dto';
import { NotificationsRepository, type Recipient } from './notifications.repository';

/**
 * The caller's notifications: those addressed to them, or to their unit and role. Written only by the workflow's
 * activity; people read them and mark them read, nothing else.
 */
@Injectable()
export class NotificationsService {
  private readonly repo: NotificationsRepository;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.repo = new NotificationsRepository(dataSource);
  }

  /** Newest first; `before` continues after the page that ended with that id. */
  async list(user: CurrentUser, q: ListNotificationsQuery, lang: Lang): Promise<NotificationDto[]> {
    const rows = await this.repo.list(recipient(user), {
      limit: q.limit ?? NOTIFICATIONS_PAGE_DEFAULT,
      unread: q.unread,
      before: q.before,
    });
    return rows.map((n) => toNotificationDto(n, lang));
  }

  /** Marks one of the caller's notifications read; marking it again keeps the first time. */
  async markRead(user: CurrentUser, id: string, lang: Lang): Promise<NotificationDto> {
    const n = await this.repo.markRead(recipient(user), id);
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
    return toNotificationDto(n, lang);
  }
}

const recipient = (user: CurrentUser): Recipient => ({
  userId: user.id,
  unitId: user.unitId,
  role: user.role,
});
