import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditEvent } from '../audit/audit-event.entity';
import { Campaign } from '../campaigns/campaign.entity';
import { microsUtc } from '../common/page';
import { escapeLike } from '../common/sql';
import { SCOPE_SUBQUERY } from '../units/scope.repository';
import { Nomination } from './nomination.entity';

export interface RegistrationUnitRow {
  level: string;
  active: boolean;
  district_id: string | null;
}

export interface LatestStepRow {
  actor_user_id: string | null;
  action: string;
  comment: string | null;
}

export interface NominationFilter {
  scopeRootUnitId: string;
  campaignId?: string;
  unitId?: string;
  stage?: string;
  field?: string;
  kind?: string;
  q?: string;
  before?: { at: string | Date; id: string };
  limit: number;
}

/** All SQL of nominations. Built on a DataSource, or on a transaction's EntityManager. */
@Injectable()
export class NominationsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource | EntityManager) {}

  byId(id: string): Promise<Nomination | null> {
    return this.db.getRepository(Nomination).findOneBy({ id });
  }

  campaign(id: string): Promise<Campaign | null> {
    return this.db.getRepository(Campaign).findOneBy({ id });
  }

  /** A unit's level, and the district-level unit that reviews what it registers. */
  async registrationUnit(unitId: string): Promise<RegistrationUnitRow | undefined> {
    const [unit]: RegistrationUnitRow[] = await this.db.query(
      `SELECT level, active, CASE level WHEN 'district' THEN id WHEN 'grassroots' THEN parent_id END AS district_id
         FROM units WHERE id = $1`,
      [unitId],
    );
    return unit;
  }

  async openTaskUnit(nominationId: string): Promise<{ assignee_unit_id: string } | undefined> {
    const [task]: { assignee_unit_id: string }[] = await this.db.query(
      `SELECT assignee_unit_id FROM tasks WHERE nomination_id = $1 AND status = 'open'`,
      [nominationId],
    );
    return task;
  }

  /** The nomination's latest audit event, as far as a resent request needs it. */
  async latestStep(nominationId: string): Promise<LatestStepRow | undefined> {
    const [last]: LatestStepRow[] = await this.db.query(
      `SELECT actor_user_id, action, comment FROM audit_events WHERE nomination_id = $1 ORDER BY seq DESC LIMIT 1`,
      [nominationId],
    );
    return last;
  }

  /** A nomination of a unit within the subtree of `scopeRootUnitId`. */
  within(scopeRootUnitId: string, id: string): Promise<Nomination | null> {
    return this.db
      .getRepository(Nomination)
      .createQueryBuilder('n')
      .where('n.id = :id', { id })
      .andWhere(`n.unit_id IN (${SCOPE_SUBQUERY})`, { scopeRoot: scopeRootUnitId })
      .getOne();
  }

  /** Newest first, `limit` rows after the (created_at, id) `before`, each with its exact cursor time. */
  async list(q: NominationFilter): Promise<{ n: Nomination; at: string }[]> {
    const qb = this.db
      .getRepository(Nomination)
      .createQueryBuilder('n')
      .addSelect(microsUtc('n.created_at'), 'cursor_at')
      .where(`n.unit_id IN (${SCOPE_SUBQUERY})`, { scopeRoot: q.scopeRootUnitId });
    if (q.campaignId) qb.andWhere('n.campaign_id = :campaignId', { campaignId: q.campaignId });
    if (q.unitId) qb.andWhere('n.unit_id = :unitId', { unitId: q.unitId });
    if (q.stage) qb.andWhere('n.stage = :stage', { stage: q.stage });
    if (q.field) qb.andWhere('n.field = :field', { field: q.field });
    if (q.kind) qb.andWhere('n.kind = :kind', { kind: q.kind });
    if (q.q?.trim()) {
      qb.andWhere(`n.search_text LIKE '%' || lower(immutable_unaccent(:q)) || '%'`, {
        q: escapeLike(q.q.trim().normalize('NFC')),
      });
    }
    if (q.before) {
      qb.andWhere('(n.created_at, n.id) < (CAST(:cursorAt AS timestamptz), CAST(:cursorId AS uuid))', {
        cursorAt: q.before.at,
        cursorId: q.before.id,
      });
    }
    const { entities, raw } = await qb
      .orderBy('n.created_at', 'DESC')
      .addOrderBy('n.id', 'DESC')
      .limit(q.limit)
      .getRawAndEntities<{ cursor_at: string }>();
    // No joins: the raw rows and the entities are the same rows in the same order.
    return entities.map((n, i) => ({ n, at: raw[i].cursor_at }));
  }

  history(nominationId: string): Promise<AuditEvent[]> {
    return this.db.getRepository(AuditEvent).find({ where: { nominationId }, order: { seq: 'ASC' } });
  }
}
