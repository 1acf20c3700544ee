import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { UnitStage } from '../domain/campaign';
import { funnelCondition } from '../domain/milestones';
import type { Field, Kind } from '../domain/nomination';
import { FUNNEL_STEPS } from '../domain/vocabulary';
import type { FunnelStep } from './report';

export interface StepCountRow {
  step: FunnelStep;
  district_unit_id: string;
  field: Field;
  kind: Kind;
  n: number;
}

export interface ReportUnitRow {
  id: string;
  name: string;
  active: boolean;
}

/** All SQL of the end-of-round report; read inside the pipeline's snapshot (`new ReportsRepository(m)`). */
@Injectable()
export class ReportsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource | EntityManager) {}

  /**
   * Per funnel step, the campaign's counts by (district-level unit, field, kind). Each step from its own
   * index (ix_nominations_cells and the partial ix_nominations_cells_<step>), index-only and already in
   * group order.
   */
  stepCounts(campaignId: string): Promise<StepCountRow[]> {
    return this.db.query(
      FUNNEL_STEPS.map(
        (step) =>
          `SELECT '${step}' AS step, district_unit_id, field, kind, count(*)::int AS n
             FROM nominations WHERE campaign_id = $1 AND ${funnelCondition(step)}
            GROUP BY district_unit_id, field, kind`,
      ).join(' UNION ALL '),
      [campaignId],
    );
  }

  /** The province's active district-level units, and any other unit that has counts. */
  units(provinceUnitId: string, withCounts: string[]): Promise<ReportUnitRow[]> {
    return this.db.query(
      `SELECT id, name, active FROM units
          WHERE (parent_id = $1 AND level = 'district' AND active) OR id = ANY($2::uuid[])`,
      [provinceUnitId, withCounts],
    );
  }

  /** When each unit stage closed. */
  closedStages(campaignId: string): Promise<{ stage: UnitStage; at: Date }[]> {
    return this.db.query(
      `SELECT stage, max(occurred_at) AS at FROM campaign_events
          WHERE campaign_id = $1 AND action = 'stage_closed' GROUP BY stage`,
      [campaignId],
    );
  }

  async now(): Promise<Date> {
    const [{ now }]: { now: Date }[] = await this.db.query(`SELECT now() AS now`);
    return now;
  }
}
