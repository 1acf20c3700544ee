import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import { STAGES } from '../domain/nomination';
import { type CampaignRef, provincialCampaign } from './campaign-access';
import {
  type PipelineRowDto,
  type PipelineStuckDto,
  type PipelineStuckQuery,
  type PipelineSummaryDto,
  type PipelineSummaryQuery,
  type StepFailureDto,
  type StuckNominationDto,
  type WaitingNominationDto,
} from './pipeline.dto';
import { hoursBetween, shapeSummary } from './summary';

/**
 * The time spent in each stage, as the difference of the two milestones around it. Each milestone is set
 * once, when its decision happened, and kept: a nomination that went through a stage has both.
 */
export const STAGE_SPANS: Record<(typeof STAGES)[number], [string, string]> = {
  district_registration: ['created_at', 'accepted_at'],
  district_review: ['accepted_at', 'district_recognized_at'],
  provincial_proposal: ['district_recognized_at', 'proposed_at'],
  provincial_review: ['proposed_at', 'recommended_at'],
  recognition: ['recommended_at', 'recognized_at'],
};

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
      const campaign = await provincialCampaign(m, user, q.campaignId, 'see its pipeline');
      const params: unknown[] = [campaign.id];
      const p = (v: unknown) => `$${params.push(v)}`;
      let where = 'n.campaign_id = $1';
      if (q.unitId) where += ` AND ${await unitFilter(m, campaign, q.unitId, p)}`;
      if (q.field) where += ` AND n.field = ${p(q.field)}`;

      const grouped: {
        stage: string;
        outcome: string | null;
        district_unit_id: string;
        field: string;
        kind: string;
        count: number;
      }[] = await m.query(
        `SELECT n.stage, n.outcome, n.district_unit_id, n.field, n.kind, count(*)::int AS count
           FROM nominations n WHERE ${where}
          GROUP BY n.stage, n.outcome, n.district_unit_id, n.field, n.kind`,
        params,
      );
      const overdue: { stage: string; district_unit_id: string; field: string; kind: string; n: number }[] =
        await m.query(
          `SELECT n.stage, n.district_unit_id, n.field, n.kind, count(*)::int AS n
             FROM nominations n JOIN tasks t ON t.nomination_id = n.id AND t.status = 'open' AND t.overdue
            WHERE ${where} AND n.stage <> 'closed'
            GROUP BY n.stage, n.district_unit_id, n.field, n.kind`,
          params,
        );
      const key = (r: { stage: string; district_unit_id: string; field: string; kind: string }) =>
        `${r.stage}|${r.district_unit_id}|${r.field}|${r.kind}`;
      const rows: PipelineRowDto[] = grouped.map((r) => ({
        stage: r.stage,
        outcome: r.outcome,
        districtUnitId: r.district_unit_id,
        field: r.field,
        kind: r.kind,
        count: r.count,
        overdueTasks: 0,
      }));
      const openRows = new Map<string, PipelineRowDto>();
      grouped.forEach((r, i) => {
        if (r.stage !== 'closed') openRows.set(key(r), rows[i]);
      });
      for (const o of overdue) {
        const row = openRows.get(key(o));
        if (row) row.overdueTasks += o.n;
      }

      const [asOfRow]: { now: Date }[] = await m.query(`SELECT now() AS now`);
      const oldest: {
        stage: string;
        id: string;
        title: string;
        unit_id: string;
        unit_name: string;
        stage_entered_at: Date;
      }[] = await m.query(
        `SELECT s.stage, o.* FROM unnest($${params.length + 1}::text[]) AS s(stage)
           CROSS JOIN LATERAL (
             SELECT n.id, n.title, n.unit_id, u.name AS unit_name, n.stage_entered_at
               FROM nominations n JOIN units u ON u.id = n.unit_id
              WHERE ${where} AND n.stage = s.stage AND n.stage <> 'closed'
              ORDER BY n.stage_entered_at, n.id LIMIT 1) o`,
        [...params, STAGES],
      );
      // percentile_cont sorts its input itself, a cost the planner does not weigh; asking for the values in
      // order makes it weigh that sort against reading them already ordered from ix_nominations_span_<stage>
      // (an index-only scan), which wins on a large campaign. A small filtered set is sorted instead.
      const spans = STAGES.map((stage, i) => {
        const [from, to] = STAGE_SPANS[stage];
        return `(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) / 3600 AS "${stage}", count(*)::int AS "${stage}_n"
                   FROM (SELECT date_part('epoch', n.${to} - n.${from}) AS v FROM nominations n
                          WHERE ${where} AND n.${from} IS NOT NULL AND n.${to} IS NOT NULL ORDER BY 1) d) s${i}`;
      });
      const [medianRow]: Record<string, number | null>[] = await m.query(
        `SELECT * FROM ${spans.join(', ')}`,
        params,
      );
      const unitIds = [...new Set(rows.map((r) => r.districtUnitId))];
      const names: { id: string; name: string }[] = unitIds.length
        ? await m.query(`SELECT id, name FROM units WHERE id = ANY($1::uuid[])`, [unitIds])
        : [];
      return shapeSummary({
        campaignId: campaign.id,
        filters: { unitId: q.unitId ?? null, field: q.field ?? null },
        asOf: asOfRow.now,
        rows,
        unitNames: new Map(names.map((u) => [u.id, u.name])),
        oldest: new Map(
          oldest.map((o): [string, Omit<WaitingNominationDto, 'waitingHours'>] => [
            o.stage,
            {
              nominationId: o.id,
              title: o.title,
              unitId: o.unit_id,
              unitName: o.unit_name,
              stageEnteredAt: o.stage_entered_at,
            },
          ]),
        ),
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
      const campaign = await provincialCampaign(m, user, q.campaignId, 'see its pipeline');
      const limit = q.limit ?? 50;
      const failures: FailureRow[] = await m.query(
        `SELECT DISTINCT ON (f.nomination_id) f.nomination_id, f.action, f.reason, f.attempts,
                f.last_failed_at, f.actor_user_id IS NULL AS held
           FROM step_failures f JOIN nominations n ON n.id = f.nomination_id
          WHERE f.resolved_at IS NULL AND n.campaign_id = $1
          ORDER BY f.nomination_id, f.last_failed_at DESC
          LIMIT $2`,
        [campaign.id, limit],
      );
      const failing = failures.map((f) => f.nomination_id!);
      // The campaign workflow's own refused steps (a reminder to late units, a stage's closing).
      const campaignFailures: FailureRow[] = await m.query(
        `SELECT action, reason, attempts, last_failed_at, actor_user_id IS NULL AS held
           FROM step_failures WHERE campaign_id = $1 AND resolved_at IS NULL
          ORDER BY last_failed_at DESC LIMIT $2`,
        [campaign.id, limit],
      );
      const rows: StuckRow[] = await m.query(
        `SELECT n.id, n.title, n.nominee_name, n.stage, n.field, n.kind, n.unit_id, ru.name AS unit_name,
                n.district_unit_id, du.name AS district_unit_name, n.stage_entered_at,
                t.id AS task_id, t.kind AS task_kind, t.due_at, t.overdue AS task_overdue, t.opened_at,
                t.assignee_role, t.assignee_unit_id, au.name AS assignee_unit_name, t.assignee_user_id,
                holder.display_name AS holder_name
           FROM ((SELECT * FROM nominations WHERE id = ANY($3::uuid[]))
                 UNION ALL
                 (SELECT * FROM nominations
                   WHERE campaign_id = $1 AND stage <> 'closed' AND NOT (id = ANY($3::uuid[]))
                   ORDER BY stage_entered_at, id LIMIT $2)) n
           JOIN units ru ON ru.id = n.unit_id
           JOIN units du ON du.id = n.district_unit_id
           LEFT JOIN LATERAL (
             SELECT * FROM tasks WHERE nomination_id = n.id AND status = 'open'
              ORDER BY opened_at DESC, id LIMIT 1) t ON true
           LEFT JOIN units au ON au.id = t.assignee_unit_id
           LEFT JOIN users holder ON holder.id = t.assignee_user_id
          ORDER BY n.id = ANY($3::uuid[]) DESC, n.stage_entered_at, n.id
          LIMIT $2`,
        [campaign.id, limit, failing],
      );
      const failureOf = new Map(failures.map((f) => [f.nomination_id!, f]));
      const [counts]: { open: number; now: Date }[] = await m.query(
        `SELECT count(*)::int AS open, now() AS now FROM nominations WHERE campaign_id = $1 AND stage <> 'closed'`,
        [campaign.id],
      );
      return {
        campaignId: campaign.id,
        asOf: counts.now,
        open: counts.open,
        items: rows.map((r) => toStuck(r, counts.now, failureOf.get(r.id))),
        campaignFailures: campaignFailures.map(toFailure),
      };
    });
  }
}

/** One read-only REPEATABLE READ transaction: every query of an answer sees the same data. */
export function snapshot<T>(ds: DataSource, run: (m: EntityManager) => Promise<T>): Promise<T> {
  return ds.transaction('REPEATABLE READ', async (m) => {
    await m.query('SET TRANSACTION READ ONLY');
    return run(m);
  });
}

/**
 * "Registered by this unit or a unit under it", for a unit of the campaign's province, on the columns the
 * indexes have: the tree is province → district-level → grassroots, so a district-level unit's subtree is
 * exactly the nominations it reviews (district_unit_id), a grassroots unit's its own (unit_id).
 */
async function unitFilter(
  m: EntityManager,
  campaign: CampaignRef,
  unitId: string,
  p: (v: unknown) => string,
): Promise<string> {
  const [unit]: { level: string; parent_id: string | null }[] = await m.query(
    `SELECT u.level, u.parent_id FROM units u WHERE u.id = $1`,
    [unitId],
  );
  if (unit?.level === 'province' && unitId === campaign.provinceUnitId) return 'true';
  if (unit?.level === 'district' && unit.parent_id === campaign.provinceUnitId) {
    return `n.district_unit_id = ${p(unitId)}`;
  }
  if (unit?.level === 'grassroots') {
    const [parent]: { parent_id: string }[] = await m.query(`SELECT parent_id FROM units WHERE id = $1`, [
      unit.parent_id,
    ]);
    if (parent?.parent_id === campaign.provinceUnitId) return `n.unit_id = ${p(unitId)}`;
  }
  throw new UnprocessableEntityException('unitId: no unit with this id in the campaign’s province');
}

interface StuckRow {
  id: string;
  title: string;
  nominee_name: string;
  stage: string;
  field: string;
  kind: string;
  unit_id: string;
  unit_name: string;
  district_unit_id: string;
  district_unit_name: string;
  stage_entered_at: Date;
  task_id: string | null;
  task_kind: string | null;
  due_at: Date | null;
  task_overdue: boolean | null;
  opened_at: Date | null;
  assignee_role: string | null;
  assignee_unit_id: string | null;
  assignee_unit_name: string | null;
  assignee_user_id: string | null;
  holder_name: string | null;
}

function toFailure(f: FailureRow): StepFailureDto {
  return {
    action: f.action,
    reason: f.reason,
    attempts: f.attempts,
    lastFailedAt: f.last_failed_at,
    held: f.held,
  };
}

interface FailureRow {
  nomination_id?: string;
  action: string;
  reason: string;
  attempts: number;
  last_failed_at: Date;
  held: boolean;
}

function toStuck(r: StuckRow, asOf: Date, f: FailureRow | undefined): StuckNominationDto {
  return {
    failure: f ? toFailure(f) : null,
    nominationId: r.id,
    title: r.title,
    nomineeName: r.nominee_name,
    stage: r.stage,
    field: r.field,
    kind: r.kind,
    unitId: r.unit_id,
    unitName: r.unit_name,
    districtUnitId: r.district_unit_id,
    districtUnitName: r.district_unit_name,
    stageEnteredAt: r.stage_entered_at,
    waitingHours: hoursBetween(r.stage_entered_at, asOf),
    task: r.task_id
      ? {
          id: r.task_id,
          kind: r.task_kind!,
          dueAt: r.due_at,
          overdue: r.task_overdue ?? false,
          openedAt: r.opened_at!,
        }
      : null,
    waitingFor: r.task_id
      ? {
          unitId: r.assignee_unit_id!,
          unitName: r.assignee_unit_name!,
          role: r.assignee_role!,
          userId: r.assignee_user_id,
          userName: r.holder_name,
          label: [r.assignee_unit_name, r.assignee_role, r.holder_name].filter(Boolean).join(' · '),
        }
      : null,
  };
}
