import { DataSource, type EntityManager } from 'typeorm';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stageSpanColumns } from '../domain/milestones';
import { STAGES } from '../domain/nomination';

/** One read-only REPEATABLE READ transaction: every query of an answer sees the same data. */
export function snapshot<T>(ds: DataSource, run: (m: EntityManager) => Promise<T>): Promise<T> {
  return ds.transaction('REPEATABLE READ', async (m) => {
    await m.query('SET TRANSACTION READ ONLY');
    return run(m);
  });
}

/**
 * The time spent in each stage, as the difference of the two milestones around it. Each milestone is set
 * once, when its decision happened, and kept: a nomination that went through a stage has both.
 */
export const STAGE_SPANS = Object.fromEntries(STAGES.map((s) => [s, stageSpanColumns(s)])) as Record<
  (typeof STAGES)[number],
  [string, string]
>;

/** Which of a campaign's nominations a summary counts: a WHERE on `nominations n` and its parameters. */
export interface NominationFilter {
  where: string;
  params: unknown[];
}

export interface CampaignRefRow {
  id: string;
  name: string;
  year: number;
  province_unit_id: string;
  province_name: string;
  closed_at: Date | null;
}

export interface GroupedRow {
  stage: string;
  outcome: string | null;
  district_unit_id: string;
  field: string;
  kind: string;
  count: number;
}

export interface OverdueRow {
  stage: string;
  district_unit_id: string;
  field: string;
  kind: string;
  n: number;
}

export interface OldestRow {
  stage: string;
  id: string;
  title: string;
  unit_id: string;
  unit_name: string;
  stage_entered_at: Date;
}

export interface StuckRow {
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

export interface FailureRow {
  nomination_id?: string;
  action: string;
  reason: string;
  attempts: number;
  last_failed_at: Date;
  held: boolean;
}

/** All SQL of the pipeline (and of the campaign as the pipeline, report and audit see it). */
@Injectable()
export class PipelineRepository {
  constructor(@InjectDataSource() private readonly db: DataSource | EntityManager) {}

  async campaignRef(id: string): Promise<CampaignRefRow | undefined> {
    const [row]: CampaignRefRow[] = await this.db.query(
      `SELECT c.id, c.name, c.year, c.province_unit_id, u.name AS province_name, c.closed_at
       FROM campaigns c JOIN units u ON u.id = c.province_unit_id WHERE c.id = $1`,
      [id],
    );
    return row;
  }

  /**
   * "Registered by this unit or a unit under it", for a unit of the campaign's province, on the columns the
   * indexes have: the tree is province → district-level → grassroots, so a district-level unit's subtree is
   * exactly the nominations it reviews (district_unit_id), a grassroots unit's its own (unit_id).
   * Undefined when the unit is not in the province.
   */
  async campaignFilter(
    campaign: { id: string; provinceUnitId: string },
    q: { unitId?: string; field?: string },
  ): Promise<NominationFilter | undefined> {
    const params: unknown[] = [campaign.id];
    const p = (v: unknown) => `$${params.push(v)}`;
    let where = 'n.campaign_id = $1';
    if (q.unitId) {
      const unit = await this.unitClause(campaign.provinceUnitId, q.unitId, p);
      if (!unit) return undefined;
      where += ` AND ${unit}`;
    }
    if (q.field) where += ` AND n.field = ${p(q.field)}`;
    return { where, params };
  }

  private async unitClause(
    provinceUnitId: string,
    unitId: string,
    p: (v: unknown) => string,
  ): Promise<string | undefined> {
    const [unit]: { level: string; parent_id: string | null }[] = await this.db.query(
      `SELECT u.level, u.parent_id FROM units u WHERE u.id = $1`,
      [unitId],
    );
    if (unit?.level === 'province' && unitId === provinceUnitId) return 'true';
    if (unit?.level === 'district' && unit.parent_id === provinceUnitId) {
      return `n.district_unit_id = ${p(unitId)}`;
    }
    if (unit?.level === 'grassroots') {
      const [parent]: { parent_id: string }[] = await this.db.query(
        `SELECT parent_id FROM units WHERE id = $1`,
        [unit.parent_id],
      );
      if (parent?.parent_id === provinceUnitId) return `n.unit_id = ${p(unitId)}`;
    }
    return undefined;
  }

  grouped(f: NominationFilter): Promise<GroupedRow[]> {
    return this.db.query(
      `SELECT n.stage, n.outcome, n.district_unit_id, n.field, n.kind, count(*)::int AS count
           FROM nominations n WHERE ${f.where}
          GROUP BY n.stage, n.outcome, n.district_unit_id, n.field, n.kind`,
      f.params,
    );
  }

  overdue(f: NominationFilter): Promise<OverdueRow[]> {
    return this.db.query(
      `SELECT n.stage, n.district_unit_id, n.field, n.kind, count(*)::int AS n
             FROM nominations n JOIN tasks t ON t.nomination_id = n.id AND t.status = 'open' AND t.overdue
            WHERE ${f.where} AND n.stage <> 'closed'
            GROUP BY n.stage, n.district_unit_id, n.field, n.kind`,
      f.params,
    );
  }

  async now(): Promise<Date> {
    const [asOfRow]: { now: Date }[] = await this.db.query(`SELECT now() AS now`);
    return asOfRow.now;
  }

  /** Per stage, the open nomination that entered it first. */
  oldest(f: NominationFilter): Promise<OldestRow[]> {
    return this.db.query(
      `SELECT s.stage, o.* FROM unnest($${f.params.length + 1}::text[]) AS s(stage)
           CROSS JOIN LATERAL (
             SELECT n.id, n.title, n.unit_id, u.name AS unit_name, n.stage_entered_at
               FROM nominations n JOIN units u ON u.id = n.unit_id
              WHERE ${f.where} AND n.stage = s.stage AND n.stage <> 'closed'
              ORDER BY n.stage_entered_at, n.id LIMIT 1) o`,
      [...f.params, STAGES],
    );
  }

  /** Per stage, the median hours spent in it (`<stage>`) and how many were measured (`<stage>_n`). */
  async medians(f: NominationFilter): Promise<Record<string, number | null>> {
    // percentile_cont sorts its input itself, a cost the planner does not weigh; asking for the values in
    // order makes it weigh that sort against reading them already ordered from ix_nominations_span_<stage>
    // (an index-only scan), which wins on a large campaign. A small filtered set is sorted instead.
    const spans = STAGES.map((stage, i) => {
      const [from, to] = STAGE_SPANS[stage];
      return `(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) / 3600 AS "${stage}", count(*)::int AS "${stage}_n"
                   FROM (SELECT date_part('epoch', n.${to} - n.${from}) AS v FROM nominations n
                          WHERE ${f.where} AND n.${from} IS NOT NULL AND n.${to} IS NOT NULL ORDER BY 1) d) s${i}`;
    });
    const [medianRow]: Record<string, number | null>[] = await this.db.query(
      `SELECT * FROM ${spans.join(', ')}`,
      f.params,
    );
    return medianRow;
  }

  async unitNames(unitIds: string[]): Promise<{ id: string; name: string }[]> {
    return unitIds.length
      ? await this.db.query(`SELECT id, name FROM units WHERE id = ANY($1::uuid[])`, [unitIds])
      : [];
  }

  /** The latest unresolved refused step of each failing nomination of the campaign. */
  nominationFailures(campaignId: string, limit: number): Promise<FailureRow[]> {
    return this.db.query(
      `SELECT DISTINCT ON (f.nomination_id) f.nomination_id, f.action, f.reason, f.attempts,
                f.last_failed_at, f.actor_user_id IS NULL AS held
           FROM step_failures f JOIN nominations n ON n.id = f.nomination_id
          WHERE f.resolved_at IS NULL AND n.campaign_id = $1
          ORDER BY f.nomination_id, f.last_failed_at DESC
          LIMIT $2`,
      [campaignId, limit],
    );
  }

  /** The campaign workflow's own refused steps (a reminder to late units, a stage's closing). */
  campaignFailures(campaignId: string, limit: number): Promise<FailureRow[]> {
    return this.db.query(
      `SELECT action, reason, attempts, last_failed_at, actor_user_id IS NULL AS held
           FROM step_failures WHERE campaign_id = $1 AND resolved_at IS NULL
          ORDER BY last_failed_at DESC LIMIT $2`,
      [campaignId, limit],
    );
  }

  /**
   * The failing nominations first, then the open ones longest in their stage (the partial index on
   * (campaign_id, stage_entered_at) of open nominations), each with its open task and who must act.
   */
  stuck(campaignId: string, limit: number, failing: string[]): Promise<StuckRow[]> {
    return this.db.query(
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
      [campaignId, limit, failing],
    );
  }

  async openCount(campaignId: string): Promise<{ open: number; now: Date }> {
    const [counts]: { open: number; now: Date }[] = await this.db.query(
      `SELECT count(*)::int AS open, now() AS now FROM nominations WHERE campaign_id = $1 AND stage <> 'closed'`,
      [campaignId],
    );
    return counts;
  }
}
