import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import { provincialCampaign } from '../pipeline/campaign-access';
import { snapshot } from '../pipeline/pipeline.repository';
import { type CampaignReport, type FunnelCell, shapeReport } from './report';
import { ReportsRepository } from './reports.repository';

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
      const campaign = await provincialCampaign(m, user, campaignId, 'report.view', 'see its report');
      const repo = new ReportsRepository(m);
      const steps = await repo.stepCounts(campaign.id);
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
      const units = await repo.units(campaign.provinceUnitId, [
        ...new Set(cells.map((c) => c.districtUnitId)),
      ]);
      const closed = await repo.closedStages(campaign.id);
      const now = await repo.now();
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
