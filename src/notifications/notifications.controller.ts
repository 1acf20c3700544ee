import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser, type CurrentUser } from '../auth/current-user';
import { ListNotificationsQuery, NotificationDto, NotificationIdParam } from './notification.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOkResponse({
    type: [NotificationDto],
    description:
      "Addressed to the caller's unit and role (reminders, escalations, revision requests), newest first",
  })
  list(@AuthUser() user: CurrentUser, @Query() query: ListNotificationsQuery): Promise<NotificationDto[]> {
    return this.notifications.list(user, query);
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOkResponse({ type: NotificationDto })
  @ApiNotFoundResponse({ description: "No such notification among the caller's" })
  markRead(@AuthUser() user: CurrentUser, @Param() { id }: NotificationIdParam): Promise<NotificationDto> {
    return this.notifications.markRead(user, id);
  }
}
