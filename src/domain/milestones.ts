/**
 * The read model's side of the milestone mapping (src/domain/vocabulary.ts): the column that keeps each
 * milestone, and the SQL fragments every reader of the funnel builds from them, so that the projection,
 * the report, the pipeline, the unit status and the campaign reminders count the same thing. Pure string
 * building over the fixed column names: no value is ever put into the SQL.
 */
import type { Stage } from './nomination';
import { type FunnelStep, funnelMilestone, type Milestone, MILESTONES, stageSpan } from './vocabulary';

/** The column of `nominations` each milestone is kept in. */
export const MILESTONE_COLUMNS: Record<Milestone | 'created', string> = {
  created: 'created_at',
  accepted: 'accepted_at',
  districtRecognized: 'district_recognized_at',
  proposed: 'proposed_at',
  recommended: 'recommended_at',
  recognized: 'recognized_at',
};

const prefix = (alias?: string) => (alias ? `${alias}.` : '');

/** The condition under which a nomination counts at a funnel step (`true` for registration). */
export function funnelCondition(step: FunnelStep, alias?: string): string {
  const m = funnelMilestone(step);
  return m ? `${prefix(alias)}${MILESTONE_COLUMNS[m]} IS NOT NULL` : 'true';
}

/** `count(<milestone column>)`, or `count(*)` for registration: a grouped count of a funnel step. */
export function funnelCount(step: FunnelStep, alias?: string): string {
  const m = funnelMilestone(step);
  return m ? `count(${prefix(alias)}${MILESTONE_COLUMNS[m]})` : 'count(*)';
}

/** The two columns around a stage: its time span is `to - from`. */
export function stageSpanColumns(stage: Stage): [string, string] {
  const { from, to } = stageSpan(stage);
  return [MILESTONE_COLUMNS[from], MILESTONE_COLUMNS[to]];
}

/** Every milestone column, in the order of the round. */
export const MILESTONE_COLUMN_LIST: readonly string[] = MILESTONES.map((m) => MILESTONE_COLUMNS[m]);
