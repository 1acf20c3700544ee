/**
 * The campaign report as the province sends it up: the funnel registered → district-recognized →
 * proposed → provincially recognized, split collective / individual, per district-level unit and per
 * field, the units that submitted nothing at each unit stage, and the conversion rates. Pure: the service
 * reads the cells (district-level unit × field × kind, with the count of each funnel step) and everything
 * here is summed from them, so every total is the sum of the rows beside it. No I/O, testable without a
 * database.
 */
import {
  CONVERSION_LABELS as CONVERSION_WORDS,
  CONVERSIONS,
  type ConversionKey,
  FIELD_LABELS as FIELD_WORDS,
  FUNNEL_LABELS as FUNNEL_WORDS,
  FUNNEL_STEPS,
  type FunnelStep,
  KIND_LABELS as KIND_WORDS,
  labelsIn,
  SUBMISSION_WORDS,
  UNIT_STAGE_LABELS,
  UNIT_STAGE_STEP,
  UNIT_STAGES,
  type UnitStage,
} from '../domain/vocabulary';
import { FIELDS, KINDS, type Field, type Kind } from '../domain/nomination';

export { CONVERSIONS, FUNNEL_STEPS, type ConversionKey, type FunnelStep };

// The report is written in Vietnamese, in the vocabulary's words (the pages show the same ones).
export const FUNNEL_LABELS = labelsIn(FUNNEL_WORDS, 'vi');
export const FIELD_LABELS = labelsIn(FIELD_WORDS, 'vi');
export const KIND_LABELS = labelsIn(KIND_WORDS, 'vi');
export const STAGE_LABELS = labelsIn(UNIT_STAGE_LABELS, 'vi');
export const CONVERSION_LABELS = labelsIn(CONVERSION_WORDS, 'vi');

/** Which funnel step counts as "submitted" at each unit stage. */
export const STAGE_STEP: Record<UnitStage, FunnelStep> = UNIT_STAGE_STEP;

/** One grouped row of the read model: a district-level unit's nominations of one field and kind. */
export interface FunnelCell {
  districtUnitId: string;
  field: Field;
  kind: Kind;
  registered: number;
  districtRecognized: number;
  proposed: number;
  recognized: number;
}

export interface SplitCount {
  total: number;
  collective: number;
  individual: number;
}

/** Percentages with one decimal; null when the step before is zero. */
export type Conversion = Record<ConversionKey, number | null>;

export type Funnel = Record<FunnelStep, SplitCount> & { conversion: Conversion };

export interface ReportUnitRow extends Funnel {
  unitId: string;
  name: string;
  active: boolean;
}

export interface ReportFieldRow extends Funnel {
  field: Field;
  label: string;
}

export interface ReportKindRow extends Funnel {
  kind: Kind;
  label: string;
}

export interface ReportStage {
  stage: UnitStage;
  label: string;
  /** The funnel step that counts as submitting at this stage. */
  step: FunnelStep;
  submitted: number;
  total: number;
  /** When the campaign workflow closed the stage at its cut-off; null while it is open. */
  closedAt: Date | null;
  missing: { unitId: string; name: string }[];
  summary: string;
}

export interface CampaignReport {
  campaign: {
    id: string;
    name: string;
    year: number;
    provinceUnitId: string;
    provinceName: string;
    closedAt: Date | null;
  };
  generatedAt: Date;
  totals: Funnel;
  units: ReportUnitRow[];
  fields: ReportFieldRow[];
  kinds: ReportKindRow[];
  stages: ReportStage[];
}

export interface ReportInput {
  campaign: CampaignReport['campaign'];
  generatedAt: Date;
  /** The province's district-level units: every active one, and any other with nominations. */
  units: { id: string; name: string; active: boolean }[];
  cells: FunnelCell[];
  closedStages?: Partial<Record<UnitStage, Date>>;
}

/** `part / whole` as a percentage with one decimal; null when `whole` is 0. */
export function percent(part: number, whole: number): number | null {
  if (!whole) return null;
  return Math.round((part / whole) * 1000) / 10;
}

function emptyFunnel(): Record<FunnelStep, SplitCount> {
  return Object.fromEntries(
    FUNNEL_STEPS.map((s) => [s, { total: 0, collective: 0, individual: 0 }]),
  ) as Record<FunnelStep, SplitCount>;
}

function addCell(f: Record<FunnelStep, SplitCount>, c: FunnelCell): void {
  for (const step of FUNNEL_STEPS) {
    f[step].total += c[step];
    f[step][c.kind] += c[step];
  }
}

function withRates(f: Record<FunnelStep, SplitCount>): Funnel {
  const conversion = Object.fromEntries(
    CONVERSIONS.map((c) => [c.key, percent(f[c.of].total, f[c.over].total)]),
  ) as Conversion;
  return { ...f, conversion };
}

export function shapeReport(input: ReportInput): CampaignReport {
  const collator = new Intl.Collator('vi');
  const totals = emptyFunnel();
  const byUnit = new Map<string, Record<FunnelStep, SplitCount>>(
    input.units.map((u) => [u.id, emptyFunnel()]),
  );
  const byField = new Map<Field, Record<FunnelStep, SplitCount>>(FIELDS.map((f) => [f, emptyFunnel()]));
  const byKind = new Map<Kind, Record<FunnelStep, SplitCount>>(KINDS.map((k) => [k, emptyFunnel()]));
  for (const cell of input.cells) {
    addCell(totals, cell);
    // A cell of a unit not in the list still gets a row: the rows must add up to the totals.
    if (!byUnit.has(cell.districtUnitId)) byUnit.set(cell.districtUnitId, emptyFunnel());
    addCell(byUnit.get(cell.districtUnitId)!, cell);
    if (!byField.has(cell.field)) byField.set(cell.field, emptyFunnel());
    addCell(byField.get(cell.field)!, cell);
    if (!byKind.has(cell.kind)) byKind.set(cell.kind, emptyFunnel());
    addCell(byKind.get(cell.kind)!, cell);
  }
  const known = new Map(input.units.map((u) => [u.id, u]));
  const units: ReportUnitRow[] = [...byUnit]
    .map(([unitId, f]) => ({
      unitId,
      name: known.get(unitId)?.name ?? unitId,
      active: known.get(unitId)?.active ?? false,
      ...withRates(f),
    }))
    .sort((a, b) => collator.compare(a.name, b.name) || a.unitId.localeCompare(b.unitId));
  // Expected to submit at every unit stage: the active district-level units.
  const expected = units.filter((u) => u.active);
  const stages: ReportStage[] = UNIT_STAGES.map((stage) => {
    const step = STAGE_STEP[stage];
    const missing = expected
      .filter((u) => u[step].total === 0)
      .map((u) => ({ unitId: u.unitId, name: u.name }));
    const submitted = expected.length - missing.length;
    const verb = SUBMISSION_WORDS[stage].vi;
    return {
      stage,
      label: STAGE_LABELS[stage],
      step,
      submitted,
      total: expected.length,
      closedAt: input.closedStages?.[stage] ?? null,
      missing,
      summary:
        `${submitted}/${expected.length} đơn vị đã ${verb}` +
        (missing.length ? `; chưa ${verb}: ${missing.map((m) => m.name).join(', ')}` : ''),
    };
  });
  return {
    campaign: input.campaign,
    generatedAt: input.generatedAt,
    totals: withRates(totals),
    units,
    fields: [...byField].map(([field, f]) => ({
      field,
      label: FIELD_LABELS[field] ?? field,
      ...withRates(f),
    })),
    kinds: [...byKind].map(([kind, f]) => ({ kind, label: KIND_LABELS[kind] ?? kind, ...withRates(f) })),
    stages,
  };
}
