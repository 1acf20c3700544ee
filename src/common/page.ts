import { BadRequestException } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Response } from 'express';
import { timeMs } from '../domain/time';

/**
 * Keyset paging shared by the lists that page on (a time, an id): `GET /tasks` and `GET /nominations`.
 * The body stays a JSON array (the page); the next page's cursor is in the `X-Next-Cursor` header,
 * absent on the last page. A cursor is opaque to clients: the (time, id) of the page's last row.
 */
export const PAGE_LIMIT_DEFAULT = 50;
export const PAGE_LIMIT_MAX = 200;
export const NEXT_CURSOR_HEADER = 'X-Next-Cursor';

/** For `@ApiOkResponse({ headers })` of a paged list. */
export const NEXT_CURSOR_DOC = {
  [NEXT_CURSOR_HEADER]: { description: 'Pass as `cursor` for the next page', schema: { type: 'string' } },
};

/** The query parameters of a paged list; a list's own filters extend it. */
export class PageQuery {
  @ApiPropertyOptional({ description: 'The `X-Next-Cursor` header of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: PAGE_LIMIT_MAX, default: PAGE_LIMIT_DEFAULT })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(PAGE_LIMIT_MAX)
  limit?: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A page from rows read with `LIMIT limit + 1`: the extra row only says that a next page exists, and the
 * cursor is taken from the last row kept.
 */
export function pageOf<R, T>(
  rows: R[],
  limit: number,
  key: (row: R) => [Date | string, string],
  map: (row: R) => T,
): Page<T> {
  const kept = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? encodeCursor(...key(kept[kept.length - 1])) : null;
  return { items: kept.map(map), nextCursor };
}

/** Sets the next page's header and answers with the page's items. */
export function sendPage<T>(res: Response, page: Page<T>): T[] {
  if (page.nextCursor) res.setHeader(NEXT_CURSOR_HEADER, page.nextCursor);
  return page.items;
}

/**
 * A time given as text is kept as it is, so a time read from PostgreSQL with its microseconds (a Date
 * holds only milliseconds) makes a cursor that neither skips nor repeats rows of the same millisecond.
 */
export function encodeCursor(at: Date | string, id: string): string {
  const time = typeof at === 'string' ? at : at.toISOString();
  return Buffer.from(JSON.stringify([time, id])).toString('base64url');
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The (time, id) of a cursor this API returned; anything else is a 400 naming `cursor`. */
export function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id, ...rest] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Checked as strictly as PostgreSQL will read them: a crafted cursor is a 400, never a SQL error.
    if (rest.length === 0 && timeMs(at) !== undefined && typeof id === 'string' && UUID_TEXT.test(id)) {
      return { at, id };
    }
  } catch {
    // fall through: any malformed cursor gets the same answer
  }
  throw new BadRequestException('cursor: not a cursor this API returned');
}

/**
 * A timestamptz column as RFC 3339 text in UTC with its microseconds, the form `encodeCursor` keeps
 * exactly and `decodeCursor` accepts.
 */
export function microsUtc(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
