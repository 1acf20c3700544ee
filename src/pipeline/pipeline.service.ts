import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import { STAGES } from '../domain/nomination';
import { provincialCampaign } from './campaign-access';
import {
  type PipelineRowDto,
  type PipelineStuckDto,
  type PipelineStuckQuery,
  type PipelineSummaryDto,
  type PipelineSummaryQuery,
  toPipelineRowDto,
  toStepFailureDto,
  toStuckNominationDto,
  toWaitingNominationDto,
} from './pipeline.dto';
import { PipelineRepository, snapshot } from './pipeline.repository';
import { shapeSummary } from './summary';

// The milestones around each stage; the migrations' index comments point here.
export { STAGE_SPANS } from './pipeline.repository';

/**
 * What the province watches while a round runs: where the nominations are (by stage, unit, field, kind,
 * outcome), what is overdue, what has waited longest and for whom, and how long each stage takes.
 * Reads only the PostgreSQL read model; every figure of one answer comes from one snapshot.
 */
@Injectable()
export class PipelineService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async summary(user: CurrentUser, q: PipelineSummaryQuery): Promise<PipelineSummaryDto> {
    return snapshot(this.dataSource, async (m) => {
      const campaign = await provincialCampaign(m, user, q.campaignId, 'pipeline.view', 'see its pipeline');
      const repo = new PipelineRepository(m);
      const filter = await repo.campaignFilter(campaign, q);
      if (!filter) {
        throw new UnprocessableEntityException('unitId: no unit with this id in the campaign’s province');
      }
      const grouped = await repo.grouped(filter);
      const overdue = await repo.overdue(filter);
      const key = (r: { stage: string; district_unit_id: string; field: string; kind: string }) =>
        `${r.stage}|${r.district_unit_id}|${r.field}|${r.kind}`;
      const rows = grouped.map(toPipelineRowDto);
      const openRows = new Map<string, PipelineRowDto>();
      grouped.forEach((r, i) => {
        if (r.stage !== 'closed') openRows.set(key(r), rows[i]);
      });
      for (const o of overdue) {
        const row = openRows.get(key(o));
        if (row) row.overdueTasks += o.n;
      }

      const asOf = await repo.now();
      const oldest = await repo.oldest(filter);
      const medianRow = await repo.medians(filter);
      const unitIds = [...new Set(rows.map((r) => r.districtUnitId))];
      const names = await repo.unitNames(unitIds);
      return shapeSummary({
        campaignId: campaign.id,
        filters: { unitId: q.unitId ?? null, field: q.field ?? null },
        asOf,
        rows,
        unitNames: new Map(names.map((u) => [u.id, u.name])),
        oldest: new Map(oldest.map((o) => [o.stage, toWaitingNominationDto(o)])),
        medians: new Map(
          STAGES.map((stage) => {
            const hours = medianRow[stage];
            return [
              stage,
              {
                hours: hours === null ? null : Math.round(Number(hours) * 10) / 10,
                measured: Number(medianRow[`${stage}_n`] ?? 0),
              },
            ];
          }),
        ),
      });
    });
  }

  /**
   * The campaign's open nominations, longest waiting in their stage first (the partial index on
   * (campaign_id, stage_entered_at) of open nominations), each with its open task and who must act.
   * Nominations with a step PostgreSQL refused come first, with the reason: someone must look at them.
   */
  async stuck(user: CurrentUser, q: PipelineStuckQuery): Promise<PipelineStuckDto> {
    return snapshot(this.dataSource, async (m) => {
      const campaign = await provincialCampaign(m, user, q.campaignId, 'pipeline.view', 'see its pipeline');
      const limit = q.limit ?? 50;
      const repo = new PipelineRepository(m);
      const failures = await repo.nominationFailures(campaign.id, limit);
      const failing = failures.map((f) => f.nomination_id!);
      const campaignFailures = await repo.campaignFailures(campaign.id, limit);
      const rows = await repo.stuck(campaign.id, limit, failing);
      const failureOf = new Map(failures.map((f) => [f.nomination_id!, f]));
      const counts = await repo.openCount(campaign.id);
      return {
        campaignId: campaign.id,
        asOf: counts.now,
        open: counts.open,
        items: rows.map((r) => toStuckNominationDto(r, counts.now, failureOf.get(r.id))),
        campaignFailures: campaignFailures.map(toStepFailureDto),
      };
    });
  }
}
