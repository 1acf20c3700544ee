/**
 * A randomized round, planned from a seed before anything runs: district-level and grassroots units, and
 * for each model the steps people take and when, down to the cut-offs that close it when nobody acts.
 * Pure (no I/O, no clock): times are offsets in ms from the round's start. The decision paths, stage
 * dates and deadline rules are written out here on their own, from docs/design.md, not taken from src/domain,
 * so the figures the app computes are checked against a model that shares none of its code.
 *
 * Randomness: fast-check's seeded sampling of an unbiased infinite stream. fast-check's own runner is not
 * used: one plan costs tens of seconds of real workflows, so there is no budget for shrinking, and a
 * plan is a chain of dependent draws that reads best as a procedure.
 */
import fc from 'fast-check';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const PLAN_STAGES = [
  'district_registration',
  'district_review',
  'provincial_proposal',
  'provincial_review',
  'recognition',
] as const;
export type PlanStage = (typeof PLAN_STAGES)[number];
export type PlanOutcome =
  'recognized_provincial' | 'recognized_district' | 'not_recognized' | 'rejected' | 'withdrawn' | 'expired';
export const PLAN_OUTCOMES: PlanOutcome[] = [
  'recognized_provincial',
  'recognized_district',
  'not_recognized',
  'rejected',
  'withdrawn',
  'expired',
];
export const PLAN_FIELDS = ['economic', 'culture_society', 'defense_security', 'political_system'] as const;
export const PLAN_KINDS = ['collective', 'individual'] as const;

/** The calendar's hours, as given to the workflow: one reminder, escalations every two days. */
export const REMINDER_HOURS = 24;
export const ESCALATION_HOURS = 48;
/** A submitter has a week to resubmit; a resubmitted model then gets at least 72 hours of review. */
export const REVISION_WINDOW = 168 * HOUR;
export const RESUBMISSION_REVIEW = 72 * HOUR;
/** The campaign's calendar moves once, in the registration window, after its due date. */
export const CHANGE_AT = 12 * DAY + 15 * MINUTE;
/** Nobody acts this close to a cut-off: the plan must not race the timer that closes the task. */
const MARGIN = 12 * HOUR;

export type Milestone =
  'accepted_at' | 'district_recognized_at' | 'proposed_at' | 'recommended_at' | 'recognized_at';

export interface Dates {
  due: When;
  cutoff: When;
}

/**
 * A time of the plan. Calendar dates are known exactly; a revision's deadline or a resubmitted model's
 * review window is only known once the step it counts from happened (`from`: that step, plus `plus`).
 */
export interface When {
  at: number;
  from?: { event: string; plus: number };
}

export interface PlanTask {
  kind: 'review' | 'revision';
  stage: PlanStage;
  /** The step that opened it. */
  opened: string;
  openedAt: number;
  /** A resubmitted model's review window: the task's dates are never earlier. */
  window?: When;
}

export interface PlanEvent {
  id: string;
  model: number;
  at: number;
  act: 'register' | 'decide' | 'resubmit' | 'withdraw' | 'cutoff';
  /** The stage of the task the step acted on. */
  stage: PlanStage;
  decision?: string;
  /** Cut-offs: when exactly (a calendar date, or counted from an earlier step). */
  when?: When;
  stageAfter: PlanStage | 'closed';
  stageChanged: boolean;
  outcome: PlanOutcome | null;
  /** The task open after the step. */
  task: PlanTask | null;
  milestone?: Milestone;
  revision?: boolean;
}

export interface PlanUnit {
  key: string;
  name: string;
  level: 'district' | 'grassroots';
  /** The district-level unit that reviews its models (itself for a district-level unit). */
  district: string;
}

export interface PlanModel {
  index: number;
  title: string;
  unit: string;
  district: string;
  field: (typeof PLAN_FIELDS)[number];
  kind: (typeof PLAN_KINDS)[number];
  nomineeName: string;
  events: PlanEvent[];
  outcome: PlanOutcome;
}

export interface RoundPlan {
  seed: number;
  units: PlanUnit[];
  /** District-level units planned to register nothing. */
  silent: string[];
  models: PlanModel[];
  /** How far the calendar change moves every stage. */
  shift: number;
  changeAt: number;
  /** When the figures are read: three while the round runs, one after it is over. */
  checkpoints: number[];
}

const DISTRICT_NAMES = [
  'Huyện Đức Linh', // the harness's own district-level unit
  'Huyện Tánh Linh',
  'Thị xã La Gi',
  'Huyện Hàm Tân',
  'Huyện Phú Quý',
  'Thành phố Phan Thiết',
];
const COMMUNE_NAMES = [
  'Xã Hàm Tiến',
  'Phường Mũi Né',
  'Xã Tân Hà',
  'Xã Đa Kai',
  'Xã Ngũ Phụng',
  'Xã Sùng Nhơn',
  'Phường Phước Hội',
  'Xã Tân Phúc',
  'Xã Gia An',
  'Thị trấn Lạc Tánh',
];

/** A stage's own dates: due (i+1)·10 days in, cut off 5 days later; after the change, `shift` later. */
export function stageDates(
  stage: PlanStage,
  shifted: boolean,
  shift: number,
): { due: number; cutoff: number } {
  const due = (PLAN_STAGES.indexOf(stage) + 1) * 10 * DAY + (shifted ? shift : 0);
  return { due, cutoff: due + 5 * DAY };
}

/** The task's dates as they stand at time `t` (the calendar in force then, the review window as floor). */
export function taskDates(plan: Pick<RoundPlan, 'changeAt' | 'shift'>, task: PlanTask, t: number): Dates {
  if (task.kind === 'revision') {
    const at: When = {
      at: task.openedAt + REVISION_WINDOW,
      from: { event: task.opened, plus: REVISION_WINDOW },
    };
    return { due: at, cutoff: at };
  }
  const d = stageDates(task.stage, t >= plan.changeAt, plan.shift);
  const floor = (at: number): When => (task.window && task.window.at > at ? task.window : { at });
  return { due: floor(d.due), cutoff: floor(d.cutoff) };
}

/** When the task closes if nobody acts: a task open at the change takes the new dates. */
export function effectiveCutoff(plan: Pick<RoundPlan, 'changeAt' | 'shift'>, task: PlanTask): When {
  const atOpening = taskDates(plan, task, task.openedAt).cutoff;
  if (task.openedAt >= plan.changeAt || atOpening.at < plan.changeAt) return atOpening;
  return taskDates(plan, task, plan.changeAt).cutoff;
}

/** An overdue task: a review past its due date, where the due date comes before the cut-off. */
export function isOverdue(plan: Pick<RoundPlan, 'changeAt' | 'shift'>, task: PlanTask, t: number): boolean {
  const d = taskDates(plan, task, t);
  return task.kind === 'review' && d.due.at < d.cutoff.at && t >= d.due.at;
}

type Step = [PlanStage, string, PlanStage | PlanOutcome, Milestone?];

/** The way to provincial recognition, one decision per stage. */
const FORWARD: Step[] = [
  ['district_registration', 'accept', 'district_review', 'accepted_at'],
  ['district_review', 'recognize', 'provincial_proposal', 'district_recognized_at'],
  ['provincial_proposal', 'propose', 'provincial_review', 'proposed_at'],
  ['provincial_review', 'recommend', 'recognition', 'recommended_at'],
  ['recognition', 'recognize', 'recognized_provincial', 'recognized_at'],
];
const REVISABLE: PlanStage[] = ['district_registration', 'district_review', 'provincial_review'];
const CUTOFF_OUTCOME = (s: PlanStage): PlanOutcome =>
  s === 'provincial_proposal' ? 'recognized_district' : 'expired';

/** How a model's path ends: after `reach` forward decisions, by a decision, a withdrawal, or a cut-off. */
interface Ending {
  reach: number;
  end: { decide: string; outcome: PlanOutcome } | 'withdraw' | 'cutoff' | 'lapse';
}

export function planRound(seed: number): RoundPlan {
  const [stream] = fc.sample(fc.infiniteStream(fc.noBias(fc.integer({ min: 0, max: 2 ** 30 }))), {
    seed,
    numRuns: 1,
  });
  const draws = stream[Symbol.iterator]();
  /** 0 … n−1 */
  const int = (n: number) => (draws.next().value as number) % n;
  const chance = (p: number) => int(1000) < p * 1000;
  const pick = <T>(xs: readonly T[]) => xs[int(xs.length)];

  const shift = (3 + int(3)) * DAY;
  const plan = { changeAt: CHANGE_AT, shift };
  const units: PlanUnit[] = [];
  const districts = 3 + int(3);
  let communes = 0;
  for (let d = 0; d < districts; d++) {
    const key = `d${d}`;
    units.push({ key, name: DISTRICT_NAMES[d], level: 'district', district: key });
    for (let g = int(3); g > 0; g--) {
      units.push({ key: `g${communes}`, name: COMMUNE_NAMES[communes], level: 'grassroots', district: key });
      communes++;
    }
  }
  // The last district-level unit and its communes register nothing (Đức Linh in the 2023 figures).
  const silent = [`d${districts - 1}`];
  const registering = units.filter((u) => !silent.includes(u.district));

  const count = 30 + int(31);
  const models: PlanModel[] = [];
  for (let i = 0; i < count; i++) {
    // The first six cover every outcome; the rest are drawn.
    const outcome = i < PLAN_OUTCOMES.length ? PLAN_OUTCOMES[i] : pick(PLAN_OUTCOMES);
    const unit = pick(registering);
    models.push(
      planModel(i, outcome, {
        unit: unit.key,
        district: unit.district,
        field: pick(PLAN_FIELDS),
        kind: pick(PLAN_KINDS),
      }),
    );
  }

  function ending(outcome: PlanOutcome): Ending {
    switch (outcome) {
      case 'recognized_provincial':
        return { reach: 5, end: 'cutoff' }; // never reached: the fifth decision closes it
      case 'rejected':
        return { reach: 0, end: { decide: 'reject', outcome } };
      case 'not_recognized':
        return { reach: 1, end: { decide: 'not_recognize', outcome } };
      case 'recognized_district':
        return pick<Ending>([
          { reach: 2, end: { decide: 'not_propose', outcome } },
          { reach: 2, end: 'cutoff' },
          { reach: 3, end: { decide: 'not_recommend', outcome } },
          { reach: 4, end: { decide: 'not_recognize', outcome } },
        ]);
      case 'withdrawn':
        return { reach: int(5), end: 'withdraw' };
      case 'expired': {
        const reach = pick([0, 1, 3, 4]);
        return { reach, end: reach !== 4 && chance(0.4) ? 'lapse' : 'cutoff' };
      }
    }
  }

  function planModel(
    index: number,
    target: PlanOutcome,
    where: Pick<PlanModel, 'unit' | 'district' | 'field' | 'kind'>,
  ): PlanModel {
    const events: PlanEvent[] = [];
    const jitter = index * 1000; // distinct times across models: no ties in "longest waiting"
    // Most register before the due date; some after the calendar moved, under the new one.
    const registerAt = chance(0.15)
      ? CHANGE_AT + (1 + int(20)) * HOUR + 30 * MINUTE + jitter
      : (1 + int(9 * 24)) * HOUR + 30 * MINUTE + jitter;
    let t = registerAt;
    let stage: PlanStage = 'district_registration';
    let task: PlanTask = { kind: 'review', stage, opened: `${index}:0`, openedAt: t };
    let revisions = 0;
    const push = (e: Omit<PlanEvent, 'id' | 'model'>) => {
      const id = `${index}:${events.length}`;
      events.push({ id, model: index, ...e });
      return id;
    };
    push({ at: t, act: 'register', stage, stageAfter: stage, stageChanged: true, outcome: null, task });

    /** A time for the next step on the open task, at least an hour on, never near a cut-off or the change. */
    const nextTime = (latest?: number): number => {
      const lo = t + HOUR;
      const hi = Math.min(effectiveCutoff(plan, task).at - MARGIN, latest ?? Infinity);
      const slots = Math.floor((hi - lo) / HOUR);
      if (slots < 0) throw new Error(`seed ${seed}: model ${index} has no time left at ${stage}`);
      for (let tries = 0; tries < 20; tries++) {
        const at = lo + int(slots + 1) * HOUR;
        if (Math.abs(at - CHANGE_AT) >= HOUR) return at;
      }
      throw new Error(`seed ${seed}: model ${index} finds no time away from the calendar change`);
    };
    const revise = () => {
      const requestAt = nextTime();
      t = requestAt;
      const requested = push({
        at: t,
        act: 'decide',
        stage,
        decision: 'request_revision',
        stageAfter: stage,
        stageChanged: false,
        outcome: null,
        revision: true,
        task: null,
      });
      revisions++;
      task = { kind: 'revision', stage, opened: requested, openedAt: t };
      events[events.length - 1].task = task;
    };
    const resubmit = () => {
      t = nextTime();
      const id = `${index}:${events.length}`;
      task = {
        kind: 'review',
        stage,
        opened: id,
        openedAt: t,
        window: { at: t + RESUBMISSION_REVIEW, from: { event: id, plus: RESUBMISSION_REVIEW } },
      };
      push({ at: t, act: 'resubmit', stage, stageAfter: stage, stageChanged: false, outcome: null, task });
    };
    const closeAtCutoff = (outcome: PlanOutcome) => {
      const when = effectiveCutoff(plan, task);
      push({
        at: when.at,
        act: 'cutoff',
        stage,
        when,
        stageAfter: 'closed',
        stageChanged: true,
        outcome,
        task: null,
      });
      return outcome;
    };

    const { reach, end } = ending(target);
    let outcome: PlanOutcome | undefined;
    for (let i = 0; i < Math.min(reach, FORWARD.length); i++) {
      const [, decision, next, milestone] = FORWARD[i];
      if (REVISABLE.includes(stage) && revisions < 2 && chance(0.3)) {
        revise();
        resubmit();
      }
      const isLast = i === FORWARD.length - 1;
      // The next stage's task must open with time left before its own cut-off.
      const latest = isLast
        ? undefined
        : stageDates(next as PlanStage, t >= CHANGE_AT, shift).cutoff - 36 * HOUR;
      t = nextTime(latest);
      if (isLast) {
        outcome = next as PlanOutcome;
        push({
          at: t,
          act: 'decide',
          stage,
          decision,
          milestone,
          stageAfter: 'closed',
          stageChanged: true,
          outcome,
          task: null,
        });
        break;
      }
      stage = next as PlanStage;
      task = { kind: 'review', stage, opened: `${index}:${events.length}`, openedAt: t };
      push({
        at: t,
        act: 'decide',
        stage: FORWARD[i][0],
        decision,
        milestone,
        stageAfter: stage,
        stageChanged: true,
        outcome: null,
        task,
      });
    }
    if (!outcome) {
      if (end === 'withdraw') {
        if (REVISABLE.includes(stage) && revisions < 2 && chance(0.3)) revise(); // withdrawn while in revision
        t = nextTime();
        outcome = 'withdrawn';
        push({
          at: t,
          act: 'withdraw',
          stage,
          stageAfter: 'closed',
          stageChanged: true,
          outcome,
          task: null,
        });
      } else if (end === 'lapse') {
        revise();
        outcome = closeAtCutoff('expired');
      } else if (end === 'cutoff') {
        outcome = closeAtCutoff(CUTOFF_OUTCOME(stage));
      } else {
        if (REVISABLE.includes(stage) && revisions < 2 && chance(0.3)) {
          revise();
          resubmit();
        }
        t = nextTime();
        outcome = end.outcome;
        push({
          at: t,
          act: 'decide',
          stage,
          decision: end.decide,
          stageAfter: 'closed',
          stageChanged: true,
          outcome,
          task: null,
        });
      }
    }
    return {
      index,
      title: `Mô hình ${index + 1}: "Dân vận khéo" ${where.field}`,
      nomineeName: where.kind === 'collective' ? `Tập thể số ${index + 1}` : `Cá nhân số ${index + 1}`,
      ...where,
      events,
      outcome,
    };
  }

  const last = Math.max(
    ...models.flatMap((m) => m.events.map((e) => e.at)),
    stageDates('recognition', true, shift).cutoff,
  );
  const checkpoint = (day: number) => day * DAY + 6 * HOUR + 15 * MINUTE;
  return {
    seed,
    units,
    silent,
    models,
    shift,
    changeAt: CHANGE_AT,
    // The first just after the change: tasks overdue under the old dates are no longer overdue under the new.
    checkpoints: [
      CHANGE_AT + 2 * HOUR,
      checkpoint(13) + shift,
      checkpoint(33) + shift,
      checkpoint(Math.ceil(last / DAY) + 1),
    ],
  };
}
