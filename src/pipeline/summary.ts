/**
 * Pure shaping of the pipeline summary: every figure is a sum of the same grouped rows (stage × outcome ×
 * district-level unit × field × kind), done here in code, so the parts always add up to their totals.
 */
import { FIELDS, KINDS, OUTCOMES, STAGES, type Outcome, type Stage } from '../domain/nomination';
import type {
  PipelineCountsDto,
  PipelineRowDto,
  PipelineStageDto,
  PipelineSummaryDto,
  WaitingNominationDto,
} from './pipeline.dto';

export interface SummaryInput {
  campaignId: string;
  filters: { unitId: string | null; field: string | null };
  asOf: Date;
  rows: PipelineRowDto[];
  unitNames: Map<string, string>;
  oldest: Map<string, Omit<WaitingNominationDto, 'waitingHours'>>;
  medians: Map<string, { hours: number | null; measured: number }>;
}

export function emptyCounts(): PipelineCountsDto {
  return {
    total: 0,
    open: 0,
    closed: 0,
    overdueTasks: 0,
    byStage: Object.fromEntries(STAGES.map((s) => [s, 0])),
    byOutcome: Object.fromEntries(OUTCOMES.map((o) => [o, 0])),
  };
}

function add(c: PipelineCountsDto, r: PipelineRowDto): void {
  c.total += r.count;
  c.overdueTasks += r.overdueTasks;
  if (r.stage === 'closed') {
    c.closed += r.count;
    const outcome = (r.outcome ?? 'unknown') as Outcome;
    c.byOutcome[outcome] = (c.byOutcome[outcome] ?? 0) + r.count;
  } else {
    c.open += r.count;
    c.byStage[r.stage] = (c.byStage[r.stage] ?? 0) + r.count;
  }
}

export function hoursBetween(from: Date, to: Date): number {
  return Math.round((to.getTime() - from.getTime()) / 360_000) / 10;
}

export function shapeSummary(input: SummaryInput): PipelineSummaryDto {
  const totals = emptyCounts();
  const units = new Map<string, PipelineCountsDto>();
  const fields = new Map<string, PipelineCountsDto>(FIELDS.map((f) => [f, emptyCounts()]));
  const kinds = new Map<string, PipelineCountsDto>(KINDS.map((k) => [k, emptyCounts()]));
  const stageOverdue = new Map<string, number>();
  for (const r of input.rows) {
    add(totals, r);
    if (!units.has(r.districtUnitId)) units.set(r.districtUnitId, emptyCounts());
    add(units.get(r.districtUnitId)!, r);
    if (!fields.has(r.field)) fields.set(r.field, emptyCounts());
    add(fields.get(r.field)!, r);
    if (!kinds.has(r.kind)) kinds.set(r.kind, emptyCounts());
    add(kinds.get(r.kind)!, r);
    stageOverdue.set(r.stage, (stageOverdue.get(r.stage) ?? 0) + r.overdueTasks);
  }
  const collator = new Intl.Collator('vi');
  const stages: PipelineStageDto[] = STAGES.map((stage: Stage) => {
    const oldest = input.oldest.get(stage);
    const median = input.medians.get(stage);
    return {
      stage,
      open: totals.byStage[stage],
      overdueTasks: stageOverdue.get(stage) ?? 0,
      oldestWaiting: oldest
        ? { ...oldest, waitingHours: hoursBetween(oldest.stageEnteredAt, input.asOf) }
        : null,
      medianHours: median?.hours ?? null,
      measured: median?.measured ?? 0,
    };
  });
  return {
    campaignId: input.campaignId,
    filters: input.filters,
    asOf: input.asOf,
    totals,
    stages,
    units: [...units]
      .map(([unitId, c]) => ({ unitId, name: input.unitNames.get(unitId) ?? unitId, ...c }))
      .sort((a, b) => collator.compare(a.name, b.name)),
    fields: [...fields].map(([field, c]) => ({ field, ...c })),
    kinds: [...kinds].map(([kind, c]) => ({ kind, ...c })),
    rows: input.rows,
  };
}
