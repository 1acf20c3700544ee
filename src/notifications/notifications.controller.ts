import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuthUser, type CurrentUser } from '../auth/current-user';
import { DEFAULT_LANG, type Lang, LANGS } from '../domain/vocabulary';
import {
  ListNotificationsQuery,
  NotificationDto,
  NotificationIdParam,
  NotificationLangQuery,
} from './notification.dto';
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
  list(
    @AuthUser() user: CurrentUser,
    @Query() query: ListNotificationsQuery,
    @Req() req: Request,
  ): Promise<NotificationDto[]> {
    return this.notifications.list(user, query, readerLang(query.lang, req));
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOkResponse({ type: NotificationDto })
  @ApiNotFoundResponse({ description: "No such notification among the caller's" })
  markRead(
    @AuthUser() user: CurrentUser,
    @Param() { id }: NotificationIdParam,
    @Query() { lang }: NotificationLangQuery,
    @Req() req: Request,
  ): Promise<NotificationDto> {
    return this.notifications.markRead(user, id, readerLang(lang, req));
  }
}

/** `?lang=` when given, else the reader's preference among ours (Accept-Language), else Vietnamese. */
function readerLang(asked: Lang | undefined, req: Request): Lang {
  if (asked) return asked;
  if (!req.headers['accept-language']) return DEFAULT_LANG;
  return (req.acceptsLanguages(...LANGS) || DEFAULT_LANG) as Lang;
}
