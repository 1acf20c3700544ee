import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { escapeLike } from '../common/sql';
import { SCOPE_CTE } from '../units/scope.repository';

/** An audit event with what the log shows of its nomination. */
export interface AuditRow {
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

export interface AuditFilter {
  scopeRootUnitId: string;
  limit: number;
  campaignId?: string;
  /** The actor's user id (exact) ... */
  actorUserId?: string;
  /** ... or a part of the actor's name, without regard to case or diacritics. */
  actorName?: string;
  from?: string;
  to?: string;
  /** Events older than this one (the page cursor). */
  beforeId?: string;
}

/** All SQL of the audit log across nominations. */
@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly db: DataSource | EntityManager) {}

  /**
   * The events of the nominations registered in the subtree, newest first: the index
   * `ix_audit_events_occurred` read backwards.
   */
  list(f: AuditFilter): Promise<AuditRow[]> {
    const params: unknown[] = [f.scopeRootUnitId, f.limit];
    const p = (value: unknown) => `$${params.push(value)}`;
    const filters: string[] = [];
    if (f.campaignId) filters.push(`n.campaign_id = ${p(f.campaignId)}`);
    if (f.actorUserId) filters.push(`a.actor_user_id = ${p(f.actorUserId)}::uuid`);
    else if (f.actorName) {
      filters.push(
        `lower(immutable_unaccent(a.actor_name)) LIKE '%' || lower(immutable_unaccent(${p(escapeLike(f.actorName))})) || '%'`,
      );
    }
    if (f.from) filters.push(`a.occurred_at >= ${p(f.from)}::timestamptz`);
    if (f.to) filters.push(`a.occurred_at < ${p(f.to)}::timestamptz`);
    if (f.beforeId) {
      filters.push(
        `(a.occurred_at, a.id) < (SELECT c.occurred_at, c.id FROM audit_events c WHERE c.id = ${p(f.beforeId)}::bigint)`,
      );
    }
    return this.db.query(
      `${SCOPE_CTE}
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
  }
}
