import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import type { UnitStage } from '../domain/campaign';
import type { Field, Kind } from '../domain/nomination';
import { provincialCampaign } from '../pipeline/campaign-access';
import { snapshot } from '../pipeline/pipeline.service';
import { type CampaignReport, type FunnelCell, type FunnelStep, shapeReport } from './report';

/**
 * The campaign report (`GET /campaigns/:id/report`), read from the milestone columns of the read model
 * (set once when the decision happened, kept whatever happens later) in one snapshot: one grouped count
 * per funnel step gives the cells (district-level unit × field × kind), and every figure of the report is
 * summed from those cells in code.
 */
@Injectable()
export class ReportsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async report(user: CurrentUser, campaignId: string): Promise<CampaignReport> {
    return snapshot(this.dataSource, async (m) => {
      const campaign = await provincialCampaign(m, user, campaignId, 'see its report');
      // Each step from its own index (ix_nominations_cells and the partial ix_nominations_cells_<step>),
      // index-only and already in group order.
      const steps: { step: FunnelStep; district_unit_id: string; field: Field; kind: Kind; n: number }[] =
        await m.query(
          (
            [
              ['registered', 'true'],
              ['districtRecognized', 'district_recognized_at IS NOT NULL'],
              ['proposed', 'proposed_at IS NOT NULL'],
              ['recognized', 'recognized_at IS NOT NULL'],
            ] as const
          )
            .map(
              ([step, condition]) =>
                `SELECT '${step}' AS step, district_unit_id, field, kind, count(*)::int AS n
                   FROM nominations WHERE campaign_id = $1 AND ${condition}
                  GROUP BY district_unit_id, field, kind`,
            )
            .join(' UNION ALL '),
          [campaign.id],
        );
      const byCell = new Map<string, FunnelCell>();
      for (const s of steps) {
        const key = `${s.district_unit_id}|${s.field}|${s.kind}`;
        let cell = byCell.get(key);
        if (!cell) {
          cell = {
            districtUnitId: s.district_unit_id,
            field: s.field,
            kind: s.kind,
            registered: 0,
            districtRecognized: 0,
            proposed: 0,
            recognized: 0,
          };
          byCell.set(key, cell);
        }
        cell[s.step] += s.n;
      }
      const cells = [...byCell.values()];
      const units: { id: string; name: string; active: boolean }[] = await m.query(
        `SELECT id, name, active FROM units
          WHERE (parent_id = $1 AND level = 'district' AND active) OR id = ANY($2::uuid[])`,
        [campaign.provinceUnitId, [...new Set(cells.map((c) => c.districtUnitId))]],
      );
      const closed: { stage: UnitStage; at: Date }[] = await m.query(
        `SELECT stage, max(occurred_at) AS at FROM campaign_events
          WHERE campaign_id = $1 AND action = 'stage_closed' GROUP BY stage`,
        [campaign.id],
      );
      const [{ now }]: { now: Date }[] = await m.query(`SELECT now() AS now`);
      return shapeReport({
        campaign,
        generatedAt: now,
        units,
        cells,
        closedStages: Object.fromEntries(closed.map((c) => [c.stage, c.at])),
      });
    });
  }
}
