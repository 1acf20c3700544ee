/**
 * The figures a round plan must produce at a moment of its run, computed from the plan alone (never from
 * the read model): each model's stage, outcome, open task and milestones, and from them the pipeline
 * summary, the stuck list, the campaign's unit status and the campaign report, in the shapes the services
 * answer with. Pure; times are left to the caller (`time`), which knows when each step really happened.
 */
import {
  isOverdue,
  type Milestone,
  PLAN_FIELDS,
  PLAN_KINDS,
  PLAN_OUTCOMES,
  PLAN_STAGES,
  type PlanEvent,
  type PlanModel,
  type PlanStage,
  type PlanTask,
  type RoundPlan,
  stageDates,
  taskDates,
  type When,
} from './round-plan';

/** Real ids and names of the plan's units and models, and how to express a time. */
export interface Ids {
  campaignId: string;
  provinceId: string;
  provinceName: string;
  unit(key: string): string;
  nomination(model: number): string;
  /** An event's time (the step really taken), or a date of the plan. */
  time(t: string | When): unknown;
  any: unknown;
}

export interface ModelState {
  model: PlanModel;
  stage: PlanStage | 'closed';
  outcome: string | null;
  /** The step that put it into its current stage (or closed it). */
  entered: PlanEvent;
  task: PlanTask | null;
  overdue: boolean;
  revisions: number;
  milestones: Partial<Record<Milestone, PlanEvent>>;
}

const UNIT_STAGES = ['district_registration', 'district_review', 'provincial_proposal'] as const;
const SUBMITTED_BY: Record<(typeof UNIT_STAGES)[number], 'registered' | 'districtRecognized' | 'proposed'> = {
  district_registration: 'registered',
  district_review: 'districtRecognized',
  provincial_proposal: 'proposed',
};
const SPANS: Record<PlanStage, ['created' | Milestone, Milestone]> = {
  district_registration: ['created', 'accepted_at'],
  district_review: ['accepted_at', 'district_recognized_at'],
  provincial_proposal: ['district_recognized_at', 'proposed_at'],
  provincial_review: ['proposed_at', 'recommended_at'],
  recognition: ['recommended_at', 'recognized_at'],
};
const PROVINCIAL: PlanStage[] = ['provincial_review', 'recognition'];

export function stateAt(plan: RoundPlan, model: PlanModel, t: number): ModelState | undefined {
  const past = model.events.filter((e) => e.at <= t);
  if (!past.length) return undefined;
  const last = past[past.length - 1];
  const entered = [...past].reverse().find((e) => e.stageChanged)!;
  const milestones: ModelState['milestones'] = {};
  for (const e of past) if (e.milestone) milestones[e.milestone] = e;
  return {
    model,
    stage: last.stageAfter,
    outcome: last.outcome,
    entered,
    task: last.task,
    overdue: last.task ? isOverdue(plan, last.task, t) : false,
    revisions: past.filter((e) => e.revision).length,
    milestones,
  };
}

export function statesAt(plan: RoundPlan, t: number): ModelState[] {
  return plan.models.map((m) => stateAt(plan, m, t)).filter((s): s is ModelState => s !== undefined);
}

/** The time of a step, for an event that may be a cut-off (its date, not a person's action). */
function eventTime(ids: Ids, e: PlanEvent): unknown {
  return e.act === 'cutoff' ? ids.time(e.when!) : ids.time(e.id);
}

/** Each nomination's row of the read model: stage, outcome, flags, and every milestone time. */
export function expectedRows(plan: RoundPlan, t: number, ids: Ids) {
  return statesAt(plan, t).map((s) => {
    const milestone = (m: Milestone) => (s.milestones[m] ? ids.time(s.milestones[m]!.id) : null);
    return {
      id: ids.nomination(s.model.index),
      stage: s.stage,
      outcome: s.outcome,
      overdue: s.overdue,
      revisions: s.revisions,
      created_at: ids.time(s.model.events[0].id),
      stage_entered_at: eventTime(ids, s.entered),
      closed_at: s.stage === 'closed' ? eventTime(ids, s.entered) : null,
      accepted_at: milestone('accepted_at'),
      district_recognized_at: milestone('district_recognized_at'),
      proposed_at: milestone('proposed_at'),
      recommended_at: milestone('recommended_at'),
      recognized_at: milestone('recognized_at'),
    };
  });
}

function counts(states: ModelState[]) {
  const byStage = Object.fromEntries(PLAN_STAGES.map((s) => [s, 0]));
  const byOutcome = Object.fromEntries(PLAN_OUTCOMES.map((o) => [o, 0]));
  for (const s of states) {
    if (s.stage === 'closed') byOutcome[s.outcome!]++;
    else byStage[s.stage]++;
  }
  const closed = states.filter((s) => s.stage === 'closed').length;
  return {
    total: states.length,
    open: states.length - closed,
    closed,
    overdueTasks: states.filter((s) => s.overdue).length,
    byStage,
    byOutcome,
  };
}

const collator = new Intl.Collator('vi');
const districtUnits = (plan: RoundPlan) => plan.units.filter((u) => u.level === 'district');
const unitName = (plan: RoundPlan, key: string) => plan.units.find((u) => u.key === key)!.name;

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length / 2;
  const v = Number.isInteger(mid) ? (s[mid - 1] + s[mid]) / 2 : s[Math.floor(mid)];
  return Math.round((v / 3_600_000) * 10) / 10;
}

/** `only`: the summary's filters, a unit (by plan key: its subtree) and a field. */
export function expectedSummary(
  plan: RoundPlan,
  t: number,
  ids: Ids,
  only: { unit?: string; field?: string } = {},
) {
  const states = statesAt(plan, t).filter(
    (s) =>
      (!only.unit || s.model.unit === only.unit || s.model.district === only.unit) &&
      (!only.field || s.model.field === only.field),
  );
  const open = states.filter((s) => s.stage !== 'closed');
  const stages = PLAN_STAGES.map((stage) => {
    const here = open.filter((s) => s.stage === stage);
    const oldest = [...here].sort((a, b) => a.entered.at - b.entered.at)[0];
    const [from, to] = SPANS[stage];
    const spans = states
      .map((s) => {
        const a = from === 'created' ? s.model.events[0] : s.milestones[from];
        const b = s.milestones[to];
        return a && b ? b.at - a.at : undefined;
      })
      .filter((x): x is number => x !== undefined);
    return {
      stage,
      open: here.length,
      overdueTasks: here.filter((s) => s.overdue).length,
      oldestWaiting: oldest
        ? {
            nominationId: ids.nomination(oldest.model.index),
            title: oldest.model.title,
            unitId: ids.unit(oldest.model.unit),
            unitName: unitName(plan, oldest.model.unit),
            stageEnteredAt: ids.time(oldest.entered.id),
            waitingHours: ids.any,
          }
        : null,
      medianHours: median(spans),
      measured: spans.length,
    };
  });
  const rows = new Map<
    string,
    {
      stage: string;
      outcome: string | null;
      districtUnitId: string;
      field: string;
      kind: string;
      count: number;
      overdueTasks: number;
    }
  >();
  for (const s of states) {
    const key = [s.stage, s.outcome, s.model.district, s.model.field, s.model.kind].join('|');
    const row = rows.get(key) ?? {
      stage: s.stage,
      outcome: s.outcome,
      districtUnitId: ids.unit(s.model.district),
      field: s.model.field,
      kind: s.model.kind,
      count: 0,
      overdueTasks: 0,
    };
    row.count++;
    if (s.overdue) row.overdueTasks++;
    rows.set(key, row);
  }
  return {
    campaignId: ids.campaignId,
    filters: { unitId: only.unit ? ids.unit(only.unit) : null, field: only.field ?? null },
    asOf: ids.any,
    totals: counts(states),
    stages,
    units: districtUnits(plan)
      .filter((u) => states.some((s) => s.model.district === u.key))
      .sort((a, b) => collator.compare(a.name, b.name))
      .map((u) => ({
        unitId: ids.unit(u.key),
        name: u.name,
        ...counts(states.filter((s) => s.model.district === u.key)),
      })),
    fields: PLAN_FIELDS.map((field) => ({ field, ...counts(states.filter((s) => s.model.field === field)) })),
    kinds: PLAN_KINDS.map((kind) => ({ kind, ...counts(states.filter((s) => s.model.kind === kind)) })),
    rows: sortRows([...rows.values()]),
  };
}

export function sortRows<
  T extends { stage: string; outcome: string | null; districtUnitId: string; field: string; kind: string },
>(rows: T[]): T[] {
  const key = (r: T) => [r.stage, r.outcome, r.districtUnitId, r.field, r.kind].join('|');
  return [...rows].sort((a, b) => key(a).localeCompare(key(b)));
}

/** Who the open task waits for: the district's or the province's reviewers, or the submitting unit. */
function waitingFor(plan: RoundPlan, ids: Ids, s: ModelState) {
  const task = s.task!;
  const [unitId, name, role] =
    task.kind === 'revision'
      ? [ids.unit(s.model.unit), unitName(plan, s.model.unit), 'submitter']
      : PROVINCIAL.includes(task.stage)
        ? [ids.provinceId, ids.provinceName, 'provincial_reviewer']
        : [ids.unit(s.model.district), unitName(plan, s.model.district), 'district_reviewer'];
  return { unitId, unitName: name, role, userId: null, userName: null, label: `${name} · ${role}` };
}

export function expectedStuck(plan: RoundPlan, t: number, ids: Ids) {
  const open = statesAt(plan, t)
    .filter((s) => s.stage !== 'closed')
    .sort((a, b) => a.entered.at - b.entered.at);
  return {
    campaignId: ids.campaignId,
    asOf: ids.any,
    open: open.length,
    items: open.map((s) => ({
      failure: null,
      nominationId: ids.nomination(s.model.index),
      title: s.model.title,
      nomineeName: s.model.nomineeName,
      stage: s.stage,
      field: s.model.field,
      kind: s.model.kind,
      unitId: ids.unit(s.model.unit),
      unitName: unitName(plan, s.model.unit),
      districtUnitId: ids.unit(s.model.district),
      districtUnitName: unitName(plan, s.model.district),
      stageEnteredAt: ids.time(s.entered.id),
      waitingHours: ids.any,
      task: {
        id: ids.any,
        kind: s.task!.kind,
        dueAt: ids.time(taskDates(plan, s.task!, t).due),
        overdue: s.overdue,
        openedAt: ids.time(s.task!.opened),
      },
      waitingFor: waitingFor(plan, ids, s),
    })),
    campaignFailures: [],
  };
}

function funnelCounts(states: ModelState[]) {
  const split = (pred: (s: ModelState) => boolean) => {
    const xs = states.filter(pred);
    return {
      total: xs.length,
      collective: xs.filter((s) => s.model.kind === 'collective').length,
      individual: xs.filter((s) => s.model.kind === 'individual').length,
    };
  };
  return {
    registered: split(() => true),
    districtRecognized: split((s) => !!s.milestones.district_recognized_at),
    proposed: split((s) => !!s.milestones.proposed_at),
    recognized: split((s) => !!s.milestones.recognized_at),
  };
}

const percent = (part: number, whole: number) => (whole ? Math.round((part / whole) * 1000) / 10 : null);

function funnel(states: ModelState[]) {
  const f = funnelCounts(states);
  return {
    ...f,
    conversion: {
      districtRecognizedOfRegistered: percent(f.districtRecognized.total, f.registered.total),
      proposedOfDistrictRecognized: percent(f.proposed.total, f.districtRecognized.total),
      recognizedOfProposed: percent(f.recognized.total, f.proposed.total),
    },
  };
}

/** A unit stage is closed by the campaign workflow at its cut-off, the moved one (the change came first). */
function stageClosedAt(plan: RoundPlan, stage: PlanStage, t: number): When | null {
  const { cutoff } = stageDates(stage, true, plan.shift);
  return cutoff <= t ? { at: cutoff } : null;
}

export function expectedUnitStatus(plan: RoundPlan, t: number, ids: Ids) {
  const states = statesAt(plan, t);
  const units = districtUnits(plan).map((u) => {
    const mine = states.filter((s) => s.model.district === u.key);
    const f = funnelCounts(mine);
    // The work the unit owes: its district-stage reviews, and its submitters' revisions at any stage.
    const owed = mine.filter(
      (s) => s.task && (s.task.kind === 'revision' || !PROVINCIAL.includes(s.task.stage)),
    );
    return {
      unitId: ids.unit(u.key),
      name: u.name,
      registered: f.registered.total,
      districtRecognized: f.districtRecognized.total,
      proposed: f.proposed.total,
      provinciallyRecognized: f.recognized.total,
      openTasks: owed.length,
      overdueTasks: owed.filter((s) => s.overdue).length,
      submitted: {
        district_registration: f.registered.total > 0,
        district_review: f.districtRecognized.total > 0,
        provincial_proposal: f.proposed.total > 0,
      },
      quota: {
        overall: { cap: null, proposed: f.proposed.total },
        perField: Object.fromEntries(
          PLAN_FIELDS.map((field) => [
            field,
            {
              cap: null,
              proposed: mine.filter((s) => s.model.field === field && s.milestones.proposed_at).length,
            },
          ]),
        ),
      },
    };
  });
  const byId = (a: { unitId: string }, b: { unitId: string }) => a.unitId.localeCompare(b.unitId);
  return {
    stages: UNIT_STAGES.map((stage) => {
      const missing = units.filter((u) => !u.submitted[stage]).map((u) => ({ id: u.unitId, name: u.name }));
      return {
        stage,
        submitted: units.length - missing.length,
        total: units.length,
        missing: missing.sort((a, b) => a.id.localeCompare(b.id)),
        closed: stageClosedAt(plan, stage, t) !== null,
        summary: ids.any,
      };
    }),
    units: units.sort(byId),
  };
}

export function expectedReport(plan: RoundPlan, t: number, ids: Ids) {
  const states = statesAt(plan, t);
  const units = districtUnits(plan)
    .map((u) => ({
      unitId: ids.unit(u.key),
      name: u.name,
      active: true,
      ...funnel(states.filter((s) => s.model.district === u.key)),
    }))
    .sort((a, b) => collator.compare(a.name, b.name) || a.unitId.localeCompare(b.unitId));
  // The round is over once its last stage has closed.
  const over = stageClosedAt(plan, 'recognition', t);
  return {
    campaign: {
      id: ids.campaignId,
      name: ids.any,
      year: ids.any,
      provinceUnitId: ids.provinceId,
      provinceName: ids.provinceName,
      closedAt: over ? ids.time(over) : null,
    },
    generatedAt: ids.any,
    totals: funnel(states),
    units,
    fields: PLAN_FIELDS.map((field) => ({
      field,
      label: ids.any,
      ...funnel(states.filter((s) => s.model.field === field)),
    })),
    kinds: PLAN_KINDS.map((kind) => ({
      kind,
      label: ids.any,
      ...funnel(states.filter((s) => s.model.kind === kind)),
    })),
    stages: UNIT_STAGES.map((stage) => {
      const step = SUBMITTED_BY[stage];
      const missing = units
        .filter((u) => u[step].total === 0)
        .map((u) => ({ unitId: u.unitId, name: u.name }));
      const closedAt = stageClosedAt(plan, stage, t);
      return {
        stage,
        label: ids.any,
        step,
        submitted: units.length - missing.length,
        total: units.length,
        closedAt: closedAt ? ids.time(closedAt) : null,
        missing,
        summary: ids.any,
      };
    }),
  };
}
