import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { adminOnly, type CurrentUser } from '../auth/current-user';
import { escapeLike } from '../common/sql';
import { visibleCampaign } from '../pipeline/campaign-access';
import { toCsv } from '../reports/csv';
import { timeMs } from '../domain/time';
import { AUDIT_LIMIT_MAX, type AuditEntryDto, type AuditQuery } from './audit.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The audit log across nominations (`GET /audit`): for administrators, the events of the nominations
 * registered in their subtree, newest first, filtered by campaign, actor and time, paged by a keyset
 * cursor on (occurred_at, id) — the index `ix_audit_events_occurred` read backwards.
 */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(
    user: CurrentUser,
    q: AuditQuery,
  ): Promise<{ items: AuditEntryDto[]; nextCursor: string | null }> {
    adminOnly(user, 'read the audit log');
    if (q.from && q.to && !(timeMs(q.from)! < timeMs(q.to)!)) {
      throw new BadRequestException('from must be before to');
    }
    if (q.campaignId) await visibleCampaign(this.dataSource.manager, user, q.campaignId);
    const limit = Math.min(q.limit ?? (q.format === 'csv' ? AUDIT_LIMIT_MAX : 50), AUDIT_LIMIT_MAX);
    const params: unknown[] = [user.unitId, limit + 1];
    const p = (value: unknown) => `$${params.push(value)}`;
    const filters: string[] = [];
    if (q.campaignId) filters.push(`n.campaign_id = ${p(q.campaignId)}`);
    const actor = q.actor?.trim().normalize('NFC');
    if (actor && UUID.test(actor)) filters.push(`a.actor_user_id = ${p(actor)}::uuid`);
    else if (actor) {
      filters.push(
        `lower(immutable_unaccent(a.actor_name)) LIKE '%' || lower(immutable_unaccent(${p(escapeLike(actor))})) || '%'`,
      );
    }
    if (q.from) filters.push(`a.occurred_at >= ${p(q.from)}::timestamptz`);
    if (q.to) filters.push(`a.occurred_at < ${p(q.to)}::timestamptz`);
    if (q.cursor) {
      filters.push(
        `(a.occurred_at, a.id) < (SELECT c.occurred_at, c.id FROM audit_events c WHERE c.id = ${p(decodeCursor(q.cursor))}::bigint)`,
      );
    }
    const rows: AuditRow[] = await this.dataSource.query(
      `WITH RECURSIVE scope AS (
         SELECT id FROM units WHERE id = $1
         UNION ALL SELECT u.id FROM units u JOIN scope s ON u.parent_id = s.id)
       SELECT a.id, a.nomination_id, n.title, n.campaign_id, n.unit_id, a.workflow_id, a.seq, a.action,
              a.actor_type, a.actor_user_id, a.actor_name, a.actor_role, a.actor_unit_id,
              a.on_behalf_of_user_id, a.on_behalf_of_name, a.stage_before, a.stage_after, a.outcome,
              a.decision, a.comment, a.score, a.occurred_at
         FROM audit_events a JOIN nominations n ON n.id = a.nomination_id
        WHERE n.unit_id IN (SELECT id FROM scope) ${filters.map((f) => `AND ${f}`).join(' ')}
        ORDER BY a.occurred_at DESC, a.id DESC
        LIMIT $2`,
      params,
    );
    const items = rows.slice(0, limit).map(toEntry);
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

interface AuditRow {
  id: string;
  nomination_id: string;
  title: string;
  campaign_id: string;
  unit_id: string;
  workflow_id: string;
  seq: number;
  action: string;
  actor_type: string;
  actor_user_id: string | null;
  actor_name: string;
  actor_role: string | null;
  actor_unit_id: string | null;
  on_behalf_of_user_id: string | null;
  on_behalf_of_name: string | null;
  stage_before: string | null;
  stage_after: string;
  outcome: string | null;
  decision: string | null;
  comment: string | null;
  score: number | null;
  occurred_at: Date;
}

function toEntry(r: AuditRow): AuditEntryDto {
  return {
    id: String(r.id),
    nominationId: r.nomination_id,
    nominationTitle: r.title,
    campaignId: r.campaign_id,
    unitId: r.unit_id,
    workflowId: r.workflow_id,
    seq: r.seq,
    action: r.action,
    actor: {
      type: r.actor_type,
      userId: r.actor_user_id,
      name: r.actor_name,
      role: r.actor_role,
      unitId: r.actor_unit_id,
    },
    onBehalfOf: r.on_behalf_of_user_id
      ? { userId: r.on_behalf_of_user_id, name: r.on_behalf_of_name ?? '' }
      : null,
    stageBefore: r.stage_before,
    stageAfter: r.stage_after,
    outcome: r.outcome,
    decision: r.decision,
    comment: r.comment,
    score: r.score,
    occurredAt: r.occurred_at,
  };
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
