import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { noticeText } from '../domain/notices';
import { type Lang, LANGS } from '../domain/vocabulary';
import type { Notification } from './notification.entity';

/** Notification ids are bigints, carried as decimal strings (JSON numbers lose precision past 2^53). */
const NOTIFICATION_ID = /^[1-9]\d{0,17}$/;
const ID_MESSAGE = 'must be a notification id (a positive integer)';

export const NOTIFICATIONS_PAGE_MAX = 100;
export const NOTIFICATIONS_PAGE_DEFAULT = 50;

export class ListNotificationsQuery {
  @ApiPropertyOptional({ description: 'true: only those not yet marked read', type: Boolean })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: NOTIFICATIONS_PAGE_MAX, default: NOTIFICATIONS_PAGE_DEFAULT })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(NOTIFICATIONS_PAGE_MAX)
  limit?: number;

  @ApiPropertyOptional({
    example: '42',
    description: 'Cursor: the id of the last notification of the previous page; returns the older ones',
  })
  @IsOptional()
  @Matches(NOTIFICATION_ID, { message: `before ${ID_MESSAGE}` })
  before?: string;

  @ApiPropertyOptional({
    enum: LANGS,
    description:
      'The language of `message`; without it, the first of Accept-Language that is vi or en, else vi',
  })
  @IsOptional()
  @IsIn(LANGS, { message: `lang must be one of ${LANGS.join(', ')}` })
  lang?: Lang;
}

export class NotificationLangQuery {
  @ApiPropertyOptional({ enum: LANGS, description: 'The language of `message` (as for the list)' })
  @IsOptional()
  @IsIn(LANGS, { message: `lang must be one of ${LANGS.join(', ')}` })
  lang?: Lang;
}

export class NotificationIdParam {
  @ApiProperty({ example: '42' })
  @Matches(NOTIFICATION_ID, { message: `id ${ID_MESSAGE}` })
  id!: string;
}

export class NotificationDto {
  @ApiProperty({ example: '42', description: 'A bigint, as a string' }) id!: string;
  @ApiProperty({ format: 'uuid', nullable: true, description: 'Null for a campaign-level notice' })
  nominationId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, description: 'Set on campaign-level notices' })
  campaignId!: string | null;
  @ApiProperty({
    example: 'reminder',
    description:
      'The step that raised it: reminder, escalated, closed_at_cutoff, decided (a revision request)…',
  })
  kind!: string;
  @ApiProperty({
    example: '"Bếp ăn nghĩa tình" (district_review): còn 24 giờ đến hạn 2026-10-15T00:00:00.000Z.',
    description:
      'In the language asked for (a notice written before notices were kept as templates stays in Vietnamese)',
  })
  message!: string;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ nullable: true, description: 'Null until the caller marks it read' }) readAt!: Date | null;
}

export function toNotificationDto(n: Notification, lang: Lang): NotificationDto {
  return {
    id: n.id,
    nominationId: n.nominationId,
    campaignId: n.campaignId,
    kind: n.kind,
    message: noticeText(n, lang),
    createdAt: n.createdAt,
    readAt: n.readAt,
  };
}
