import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In, IsNull } from 'typeorm';
import { funnelCondition, funnelCount } from '../domain/milestones';
import { ANCESTORS_CTE } from '../units/scope.repository';
import { Campaign } from './campaign.entity';

/** A district-level unit's funnel counts and the work it owes, in one campaign. */
export interface UnitStatusRow {
  id: string;
  name: string;
  registered: number;
  district_recognized: number;
  proposed: number;
  recognized: number;
  open_tasks: number;
  overdue_tasks: number;
  proposed_by_field: Record<string, number> | null;
}

export interface CampaignEventRow {
  seq: number;
  action: string;
  actor_type: string;
  actor_user_id: string | null;
  actor_name: string;
  stage: string | null;
  details: Record<string, unknown>;
  occurred_at: Date;
}

/** All SQL of campaigns. Built on a DataSource, or on a transaction's EntityManager. */
@Injectable()
export class CampaignsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource | EntityManager) {}

  private get campaigns() {
    return this.db.getRepository(Campaign);
  }

  /** Campaigns whose workflow has not closed them. */
  findOpen(): Promise<Campaign[]> {
    return this.campaigns.findBy({ closedAt: IsNull() });
  }

  /** The campaigns of the unit's province (any province above it), newest year first. */
  async seenFrom(unitId: string): Promise<Campaign[]> {
    const ids: { id: string }[] = await this.db.query(
      `${ANCESTORS_CTE} SELECT c.id FROM campaigns c WHERE c.province_unit_id IN (SELECT id FROM above)`,
      [unitId],
    );
    if (!ids.length) return [];
    return this.campaigns.find({
      where: { id: In(ids.map((r) => r.id)) },
      order: { year: 'DESC', createdAt: 'DESC' },
    });
  }

  async byId(id: string): Promise<Campaign | null> {
    return this.campaigns.findOneBy({ id });
  }

  async unitLevel(unitId: string): Promise<{ level: string; active: boolean } | undefined> {
    const [province]: { level: string; active: boolean }[] = await this.db.query(
      `SELECT level, active FROM units WHERE id = $1`,
      [unitId],
    );
    return province;
  }

  existsFor(provinceUnitId: string, year: number): Promise<boolean> {
    return this.campaigns.existsBy({ provinceUnitId, year });
  }

  create(fields: Omit<Campaign, 'createdAt'>): Campaign {
    return this.campaigns.create(fields);
  }

  async insert(campaign: Campaign): Promise<void> {
    await this.campaigns.insert(campaign);
  }

  async delete(id: string): Promise<void> {
    await this.campaigns.delete({ id });
  }

  async updateQuotas(id: string, quotas: Campaign['quotas']): Promise<void> {
    await this.campaigns.update({ id }, { quotas });
  }

  /** Per district-level unit under the province: funnel counts, proposals per field, open and overdue tasks. */
  unitStatus(campaignId: string, provinceUnitId: string): Promise<UnitStatusRow[]> {
    return this.db.query(
      `WITH counts AS (
         SELECT district_unit_id AS unit_id, ${funnelCount('registered')}::int AS registered,
                ${funnelCount('districtRecognized')}::int AS district_recognized,
                ${funnelCount('proposed')}::int AS proposed, ${funnelCount('recognized')}::int AS recognized
           FROM nominations WHERE campaign_id = $1 GROUP BY district_unit_id),
       by_field AS (
         SELECT unit_id, jsonb_object_agg(field, n) AS proposed_by_field
           FROM (SELECT district_unit_id AS unit_id, field, count(*)::int AS n FROM nominations
                  WHERE campaign_id = $1 AND ${funnelCondition('proposed')} GROUP BY district_unit_id, field) f
          GROUP BY unit_id),
       owed AS (
         SELECT n.district_unit_id AS unit_id, count(*)::int AS open_tasks,
                count(*) FILTER (WHERE t.overdue)::int AS overdue_tasks
           FROM nominations n JOIN tasks t ON t.nomination_id = n.id AND t.status = 'open'
          WHERE n.campaign_id = $1 AND n.stage <> 'closed' AND t.assignee_unit_id <> $2
          GROUP BY n.district_unit_id)
       SELECT u.id, u.name, COALESCE(c.registered, 0) AS registered,
              COALESCE(c.district_recognized, 0) AS district_recognized, COALESCE(c.proposed, 0) AS proposed,
              COALESCE(c.recognized, 0) AS recognized, COALESCE(o.open_tasks, 0) AS open_tasks,
              COALESCE(o.overdue_tasks, 0) AS overdue_tasks, f.proposed_by_field
         FROM units u
         LEFT JOIN counts c ON c.unit_id = u.id
         LEFT JOIN by_field f ON f.unit_id = u.id
         LEFT JOIN owed o ON o.unit_id = u.id
        WHERE u.parent_id = $2 AND u.level = 'district' AND (u.active OR c.registered > 0)
        ORDER BY u.name`,
      [campaignId, provinceUnitId],
    );
  }

  /** The unit stages the campaign workflow has closed. */
  closedStages(campaignId: string): Promise<{ stage: string }[]> {
    return this.db.query(
      `SELECT stage FROM campaign_events WHERE campaign_id = $1 AND action = 'stage_closed'`,
      [campaignId],
    );
  }

  events(campaignId: string): Promise<CampaignEventRow[]> {
    return this.db.query(
      `SELECT seq, action, actor_type, actor_user_id, actor_name, stage, details, occurred_at
         FROM campaign_events WHERE campaign_id = $1 ORDER BY occurred_at, seq`,
      [campaignId],
    );
  }
}
