import fc from 'fast-check';
import { UNIT_STAGES } from '../../src/domain/campaign';
import { FIELDS, type Field, KINDS, type Kind, OUTCOMES, STAGES } from '../../src/domain/nomination';
import type { PipelineCountsDto, PipelineRowDto } from '../../src/pipeline/pipeline.dto';
import { shapeSummary } from '../../src/pipeline/summary';
import {
  type CampaignReport,
  CONVERSIONS,
  type Funnel,
  type FunnelCell,
  FUNNEL_STEPS,
  type ReportInput,
  shapeReport,
  STAGE_STEP,
} from '../../src/reports/report';

const UNIT_IDS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];
const SPLITS = ['total', 'collective', 'individual'] as const;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

const campaign: ReportInput['campaign'] = {
  id: 'c',
  name: 'Dân vận khéo',
  year: 2023,
  provinceUnitId: 'p',
  provinceName: 'Tỉnh',
  closedAt: null,
};

/** The province's district-level units: some of the pool, with names that may collide, some inactive. */
const units = fc.subarray(UNIT_IDS).chain((ids) =>
  fc.tuple(
    ...ids.map((id) =>
      fc.record({
        id: fc.constant(id),
        name: fc.constantFrom('Huyện Đức Linh', 'Huyện Bắc Bình', 'Thị xã La Gi', 'Đảo Phú Quý', id),
        active: fc.boolean(),
      }),
    ),
  ),
);

/** Arbitrary cells, not even a funnel: the sums must hold for any counts (units outside the list too). */
const cells: fc.Arbitrary<FunnelCell[]> = fc.array(
  fc.record({
    districtUnitId: fc.constantFrom(...UNIT_IDS),
    field: fc.constantFrom(...FIELDS),
    kind: fc.constantFrom(...KINDS),
    registered: fc.nat(1000),
    districtRecognized: fc.nat(1000),
    proposed: fc.nat(1000),
    recognized: fc.nat(1000),
  }),
  { maxLength: 40 },
);

const report = (u: ReportInput['units'], c: FunnelCell[]) =>
  shapeReport({ campaign, generatedAt: new Date(0), units: u, cells: c });

/** The funnel's counts summed straight from the cells that `keep` selects, by the test itself. */
function direct(c: FunnelCell[], keep: (x: FunnelCell) => boolean = () => true) {
  return Object.fromEntries(
    FUNNEL_STEPS.map((step) => {
      const of = (k?: Kind) => sum(c.filter((x) => keep(x) && (!k || x.kind === k)).map((x) => x[step]));
      return [step, { total: of(), collective: of('collective'), individual: of('individual') }];
    }),
  );
}

const counts = (f: Funnel) => Object.fromEntries(FUNNEL_STEPS.map((s) => [s, f[s]]));

/** Each step and split of `rows`, added up. */
function added(rows: Funnel[]) {
  return Object.fromEntries(
    FUNNEL_STEPS.map((step) => [
      step,
      Object.fromEntries(SPLITS.map((k) => [k, sum(rows.map((r) => r[step][k]))])),
    ]),
  );
}

describe('the campaign report’s sums, as properties', () => {
  it('sums units, fields and kinds to the totals, and the totals to the cells', () => {
    fc.assert(
      fc.property(units, cells, (u, c) => {
        const r = report(u, c);
        expect(counts(r.totals)).toEqual(direct(c));
        expect(added(r.units)).toEqual(counts(r.totals));
        expect(added(r.fields)).toEqual(counts(r.totals));
        expect(added(r.kinds)).toEqual(counts(r.totals));
        const unsplit = [r.totals, ...r.units, ...r.fields, ...r.kinds].flatMap((row) =>
          FUNNEL_STEPS.filter((st) => row[st].total !== row[st].collective + row[st].individual),
        );
        expect(unsplit).toEqual([]);
        // One row per unit listed or seen in a cell; each field and kind once, in the vocabulary's order.
        const ids = new Set([...u.map((x) => x.id), ...c.map((x) => x.districtUnitId)]);
        expect(r.units.map((x) => x.unitId).sort()).toEqual([...ids].sort());
        expect(r.units.map(counts)).toEqual(
          r.units.map((row) => direct(c, (x) => x.districtUnitId === row.unitId)),
        );
        expect(r.fields.map(counts)).toEqual(r.fields.map((row) => direct(c, (x) => x.field === row.field)));
        expect(r.fields.map((x) => x.field)).toEqual(FIELDS);
        expect(r.kinds.map((x) => x.kind)).toEqual(KINDS);
      }),
      { numRuns: 200 },
    );
  });

  it('rates each conversion as the percentage of the step before, null when that is zero', () => {
    fc.assert(
      fc.property(units, cells, (u, c) => {
        const r = report(u, c);
        const wrong: string[] = [];
        for (const row of [r.totals, ...r.units, ...r.fields, ...r.kinds])
          for (const { key, of, over } of CONVERSIONS) {
            const [part, whole, rate] = [row[of].total, row[over].total, row.conversion[key]];
            // One decimal, rounded: within 0.05 of the exact percentage (and a float's error).
            const ok =
              whole === 0
                ? rate === null
                : rate !== null && Math.abs(rate - (100 * part) / whole) <= 0.05 + 1e-9;
            if (!ok) wrong.push(`${key}: ${rate} for ${part}/${whole}`);
          }
        expect(wrong).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('counts as missing at a unit stage exactly the active units with nothing at its step', () => {
    fc.assert(
      fc.property(units, cells, (u, c) => {
        const r = report(u, c);
        const active = u.filter((x) => x.active);
        for (const s of r.stages) {
          const step = STAGE_STEP[s.stage];
          const silent = active.filter(
            (x) => sum(c.filter((y) => y.districtUnitId === x.id).map((y) => y[step])) === 0,
          );
          expect(s.missing.map((m) => m.unitId).sort()).toEqual(silent.map((x) => x.id).sort());
          expect(s.total).toBe(active.length);
          expect(s.submitted + s.missing.length).toBe(s.total);
        }
        expect(r.stages.map((s) => s.stage)).toEqual(UNIT_STAGES);
      }),
      { numRuns: 200 },
    );
  });
});

/**
 * A nomination as the read model's milestone columns record it (docs/design.md §2): registered always;
 * recognized at district level once it reached provincial_proposal; proposed once it reached
 * provincial_review; recognized by the province only if it closed recognized_provincial.
 */
const nomination = fc
  .record({
    unit: fc.constantFrom(...UNIT_IDS),
    field: fc.constantFrom(...FIELDS),
    kind: fc.constantFrom(...KINDS),
    furthest: fc.integer({ min: 0, max: STAGES.length - 1 }),
    recognizedByProvince: fc.boolean(),
  })
  .map((n) => ({
    ...n,
    steps: {
      registered: true,
      districtRecognized: n.furthest >= STAGES.indexOf('provincial_proposal'),
      proposed: n.furthest >= STAGES.indexOf('provincial_review'),
      recognized: n.furthest === STAGES.indexOf('recognition') && n.recognizedByProvince,
    },
  }));

/** What the report's query does: one count per funnel step, grouped by unit, field and kind. */
function cellsOf(
  ns: { unit: string; field: Field; kind: Kind; steps: Record<string, boolean> }[],
): FunnelCell[] {
  const byCell = new Map<string, FunnelCell>();
  for (const n of ns) {
    const key = `${n.unit}|${n.field}|${n.kind}`;
    const c = byCell.get(key) ?? {
      districtUnitId: n.unit,
      field: n.field,
      kind: n.kind,
      registered: 0,
      districtRecognized: 0,
      proposed: 0,
      recognized: 0,
    };
    for (const step of FUNNEL_STEPS) if (n.steps[step]) c[step] += 1;
    byCell.set(key, c);
  }
  return [...byCell.values()];
}

function expectMonotone(r: CampaignReport): void {
  const wrong: string[] = [];
  for (const row of [r.totals, ...r.units, ...r.fields, ...r.kinds])
    for (const k of SPLITS)
      for (let i = 1; i < FUNNEL_STEPS.length; i++)
        if (row[FUNNEL_STEPS[i]][k] > row[FUNNEL_STEPS[i - 1]][k])
          wrong.push(`${JSON.stringify(row)}: ${FUNNEL_STEPS[i]} > ${FUNNEL_STEPS[i - 1]} (${k})`);
  expect(wrong).toEqual([]);
}

describe('the funnel, as a property', () => {
  it('narrows at every step: registered ≥ district-recognized ≥ proposed ≥ recognized, in every row', () => {
    fc.assert(
      fc.property(units, fc.array(nomination, { maxLength: 80 }), (u, ns) => {
        const r = report(u, cellsOf(ns));
        expectMonotone(r);
        expect(r.totals.registered.total).toBe(ns.length);
        expect(r.totals.recognized.total).toBe(ns.filter((n) => n.steps.recognized).length);
        for (const row of [r.totals, ...r.units, ...r.fields, ...r.kinds])
          for (const { key } of CONVERSIONS) {
            const rate = row.conversion[key];
            if (rate !== null) expect(rate >= 0 && rate <= 100).toBe(true);
          }
      }),
      { numRuns: 200 },
    );
  });
});

/** Grouped rows of the read model as the pipeline query returns them: open at a stage, or closed. */
const rows: fc.Arbitrary<PipelineRowDto[]> = fc.array(
  fc.oneof(
    fc.record({
      stage: fc.constantFrom<string>(...STAGES),
      outcome: fc.constant(null),
      districtUnitId: fc.constantFrom(...UNIT_IDS),
      field: fc.constantFrom<string>(...FIELDS),
      kind: fc.constantFrom<string>(...KINDS),
      count: fc.integer({ min: 1, max: 500 }),
      overdueTasks: fc.nat(500),
    }),
    fc.record({
      stage: fc.constant('closed'),
      outcome: fc.option(fc.constantFrom<string>(...OUTCOMES)),
      districtUnitId: fc.constantFrom(...UNIT_IDS),
      field: fc.constantFrom<string>(...FIELDS),
      kind: fc.constantFrom<string>(...KINDS),
      count: fc.integer({ min: 1, max: 500 }),
      overdueTasks: fc.constant(0),
    }),
  ),
  { maxLength: 40 },
);

/** Every number of a slice, flattened, so that slices can be added key by key. */
function figures(c: PipelineCountsDto): Record<string, number> {
  const out: Record<string, number> = {
    total: c.total,
    open: c.open,
    closed: c.closed,
    overdueTasks: c.overdueTasks,
  };
  for (const [s, n] of Object.entries(c.byStage)) out[`stage:${s}`] = n;
  for (const [o, n] of Object.entries(c.byOutcome)) out[`outcome:${o}`] = n;
  return out;
}

function addedFigures(slices: PipelineCountsDto[], like: Record<string, number>): Record<string, number> {
  const each = slices.map(figures);
  return Object.fromEntries(Object.keys(like).map((k) => [k, sum(each.map((f) => f[k] ?? 0))]));
}

describe('the pipeline summary’s sums, as properties', () => {
  it('adds every slice (unit, field, kind) up to the totals, and the totals up to the rows', () => {
    fc.assert(
      fc.property(rows, (rs) => {
        const s = shapeSummary({
          campaignId: 'c',
          filters: { unitId: null, field: null },
          asOf: new Date(0),
          rows: rs,
          unitNames: new Map(),
          oldest: new Map(),
          medians: new Map(),
        });
        const t = s.totals;
        const count = (keep: (r: PipelineRowDto) => boolean) => sum(rs.filter(keep).map((r) => r.count));
        expect(t.total).toBe(count(() => true));
        expect(t.open).toBe(count((r) => r.stage !== 'closed'));
        expect(t.closed).toBe(count((r) => r.stage === 'closed'));
        expect(t.total).toBe(t.open + t.closed);
        expect(t.overdueTasks).toBe(sum(rs.map((r) => r.overdueTasks)));
        for (const st of STAGES) expect(t.byStage[st]).toBe(count((r) => r.stage === st));
        for (const o of OUTCOMES)
          expect(t.byOutcome[o]).toBe(count((r) => r.stage === 'closed' && r.outcome === o));
        expect(sum(Object.values(t.byStage))).toBe(t.open);
        expect(sum(Object.values(t.byOutcome))).toBe(t.closed);
        const all = figures(t);
        expect(addedFigures(s.units, all)).toEqual(all);
        expect(addedFigures(s.fields, all)).toEqual(all);
        expect(addedFigures(s.kinds, all)).toEqual(all);
        expect(s.stages.map((x) => x.open)).toEqual(STAGES.map((st) => t.byStage[st]));
        expect(sum(s.stages.map((x) => x.overdueTasks))).toBe(t.overdueTasks);
        expect(new Set(s.units.map((u) => u.unitId)).size).toBe(s.units.length);
      }),
      { numRuns: 200 },
    );
  });
});
