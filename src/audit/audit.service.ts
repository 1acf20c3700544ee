import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import { visibleCampaign } from '../pipeline/campaign-access';
import { toCsv } from '../reports/csv';
import { timeMs } from '../domain/time';
import { AUDIT_LIMIT_MAX, type AuditEntryDto, type AuditQuery, toAuditEntryDto } from './audit.dto';
import { AuditRepository } from './audit.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The audit log across nominations (`GET /audit`): for administrators, the events of the nominations
 * registered in their subtree, newest first, filtered by campaign, actor and time, paged by a keyset
 * cursor on (occurred_at, id) — the index `ix_audit_events_occurred` read backwards.
 */
@Injectable()
export class AuditService {
  private readonly repo: AuditRepository;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.repo = new AuditRepository(dataSource);
  }

  async list(
    user: CurrentUser,
    q: AuditQuery,
  ): Promise<{ items: AuditEntryDto[]; nextCursor: string | null }> {
    if (q.from && q.to && !(timeMs(q.from)! < timeMs(q.to)!)) {
      throw new BadRequestException('from must be before to');
    }
    if (q.campaignId) await visibleCampaign(this.dataSource.manager, user, q.campaignId);
    const limit = Math.min(q.limit ?? (q.format === 'csv' ? AUDIT_LIMIT_MAX : 50), AUDIT_LIMIT_MAX);
    const actor = q.actor?.trim().normalize('NFC');
    const rows = await this.repo.list({
      scopeRootUnitId: user.unitId,
      limit: limit + 1,
      campaignId: q.campaignId,
      actorUserId: actor && UUID.test(actor) ? actor : undefined,
      actorName: actor && !UUID.test(actor) ? actor : undefined,
      from: q.from,
      to: q.to,
      beforeId: q.cursor ? decodeCursor(q.cursor) : undefined,
    });
    const items = rows.slice(0, limit).map(toAuditEntryDto);
    return {
      items,
      nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null,
    };
  }
}

/** The audit page as a spreadsheet: one line per event, UTF-8 with a BOM, Vietnamese headings. */
export function auditCsv(items: AuditEntryDto[]): string {
  return toCsv(
    [
      'Thời gian',
      'Hồ sơ',
      'Mã hồ sơ',
      'Hành động',
      'Người thực hiện',
      'Mã người thực hiện',
      'Vai trò',
      'Thay mặt',
      'Giai đoạn trước',
      'Giai đoạn sau',
      'Quyết định',
      'Kết quả',
      'Điểm',
      'Ý kiến',
    ],
    items.map((e) => [
      e.occurredAt,
      e.nominationTitle,
      e.nominationId,
      e.action,
      e.actor.name,
      e.actor.userId,
      e.actor.role,
      e.onBehalfOf?.name,
      e.stageBefore,
      e.stageAfter,
      e.decision,
      e.outcome,
      e.score,
      e.comment,
    ]),
  );
}

/** An opaque page cursor: the id of the last event of the page (its (occurred_at, id) is looked up). */
function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify(['audit', id])).toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const [tag, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (tag === 'audit' && typeof id === 'string' && /^\d{1,18}$/.test(id)) return id;
  } catch {
    // fall through: any malformed cursor gets the same answer
  }
  throw new BadRequestException('cursor: not a cursor this API returned');
}
