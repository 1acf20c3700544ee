import fc from 'fast-check';
import { cutoffOutcome, DEFAULT_MAX_REVISIONS } from '../../src/domain/calendar';
import {
  allowedDecisions,
  DECISIONS,
  decisionProblem,
  isDecisionAllowed,
  type Outcome,
  OUTCOMES,
  type Stage,
  STAGES,
  transitionFor,
} from '../../src/domain/nomination';

/** docs/design.md §2, copied by hand: the oracle the code's table is checked against. */
const DESIGN_DECISIONS: Record<Stage, string[]> = {
  district_registration: ['accept', 'request_revision', 'reject'],
  district_review: ['recognize', 'not_recognize', 'request_revision'],
  provincial_proposal: ['propose', 'not_propose'],
  provincial_review: ['recommend', 'not_recommend', 'request_revision'],
  recognition: ['recognize', 'not_recognize'],
};

/** Where each outcome may be reached (docs/design.md §2); withdrawn and expired anywhere. */
const OUTCOME_STAGES: Record<Outcome, readonly Stage[]> = {
  rejected: ['district_registration'],
  not_recognized: ['district_review'],
  recognized_district: ['provincial_proposal', 'provincial_review', 'recognition'],
  recognized_provincial: ['recognition'],
  withdrawn: STAGES,
  expired: STAGES,
};

type Step = string; // a decision word, or 'withdraw' | 'cutoff' | 'resubmit'

/** A nomination between steps: its stage, whether a revision is open, and how many were requested. */
interface State {
  stage: Stage;
  revising: boolean;
  revisions: number;
  outcome?: Outcome;
}

const START: State = { stage: 'district_registration', revising: false, revisions: 0 };

/**
 * What may happen next, the way the workflow drives a nomination: at a review task any decision its
 * stage allows (a revision request only below the limit), a withdrawal or the hard cut-off; at a revision
 * task a resubmission, a withdrawal or the revision deadline passing.
 */
function options(s: State, maxRevisions: number): Step[] {
  if (s.revising) return ['resubmit', 'withdraw', 'cutoff'];
  const decisions = allowedDecisions(s.stage).filter(
    (d) => d !== 'request_revision' || s.revisions < maxRevisions,
  );
  return [...decisions, 'withdraw', 'cutoff'];
}

function apply(s: State, step: Step): State {
  if (step === 'withdraw') return { ...s, outcome: 'withdrawn' };
  if (step === 'cutoff') return { ...s, outcome: s.revising ? 'expired' : cutoffOutcome(s.stage) };
  if (step === 'resubmit') return { ...s, revising: false };
  const t = transitionFor(s.stage, step);
  if (!t) throw new Error(`no transition for allowed decision ${step} at ${s.stage}`);
  if (t.kind === 'close') return { ...s, outcome: t.outcome };
  if (t.kind === 'revision') return { ...s, revising: true, revisions: s.revisions + 1 };
  return { ...s, stage: t.to };
}

interface Walk {
  steps: Step[];
  stages: Stage[];
  outcomes: Outcome[];
  closedAt?: Stage;
  revisions: number;
}

/** The walk `choices` pick, until it closes or they run out. */
function walk(choices: number[], maxRevisions: number): Walk {
  const w: Walk = { steps: [], stages: [START.stage], outcomes: [], revisions: 0 };
  let s = START;
  for (const choice of choices) {
    if (s.outcome) break;
    const next = options(s, maxRevisions);
    const step = next[choice % next.length];
    w.steps.push(step);
    const after = apply(s, step);
    if (after.outcome) {
      w.outcomes.push(after.outcome);
      w.closedAt = after.stage;
    }
    if (after.stage !== s.stage) w.stages.push(after.stage);
    w.revisions = after.revisions;
    s = after;
  }
  return w;
}

const maxRevisions = fc.oneof(fc.constant(DEFAULT_MAX_REVISIONS), fc.integer({ min: 0, max: 10 }));
/** Enough choices to close any walk: 4 advances, 1 closing step, and 2 steps per revision. */
const LONGEST_WALK = 4 + 1 + 2 * 10;

describe('the transition table, as properties', () => {
  it('closes every walk from the first stage in exactly one outcome of the vocabulary', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { minLength: LONGEST_WALK, maxLength: LONGEST_WALK + 10 }),
        maxRevisions,
        (choices, max) => {
          const w = walk(choices, max);
          expect(w.outcomes).toHaveLength(1);
          expect(OUTCOMES).toContain(w.outcomes[0]);
          expect(w.steps.length).toBeLessThanOrEqual(4 + 1 + 2 * max);
          expect(w.revisions).toBeLessThanOrEqual(max);
          // Stages are visited in order, one step at a time, never back.
          expect(w.stages).toEqual(STAGES.slice(0, w.stages.length));
          expect(OUTCOME_STAGES[w.outcomes[0]]).toContain(w.closedAt);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reaches every outcome of the vocabulary, and no open state is a dead end (all states visited)', () => {
    for (const max of [0, DEFAULT_MAX_REVISIONS, 10]) {
      const seen = new Set<Outcome>();
      const key = (s: State) => `${s.stage}|${s.revising}|${s.revisions}`;
      const visited = new Set<string>();
      const queue = [START];
      while (queue.length) {
        const s = queue.shift()!;
        if (visited.has(key(s))) continue;
        visited.add(key(s));
        expect(options(s, max).length).toBeGreaterThan(0);
        for (const step of options(s, max)) {
          const next = apply(s, step);
          if (next.outcome) seen.add(next.outcome);
          else queue.push(next);
        }
      }
      expect([...seen].sort()).toEqual([...OUTCOMES].sort());
    }
  });

  it('allows a decision word only in its own stage’s list, and gives exactly those a transition', () => {
    const word = fc.oneof(
      fc.constantFrom(...DECISIONS, 'approve', 'ACCEPT', 'accept ', '', 'closed', 'withdraw', 'resubmit'),
      fc.string({ maxLength: 16 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...STAGES), word, (stage, decision) => {
        const inDesign = DESIGN_DECISIONS[stage].includes(decision);
        expect(isDecisionAllowed(stage, decision)).toBe(inDesign);
        expect(transitionFor(stage, decision) !== undefined).toBe(inDesign);
        const problem = decisionProblem(stage, { decision, score: 50, comment: 'x' });
        if (!inDesign) expect(problem).toMatch(/is not allowed at stage/);
      }),
      { numRuns: 400 },
    );
  });

  it('advances only to the next stage', () => {
    for (const stage of STAGES)
      for (const decision of allowedDecisions(stage)) {
        const t = transitionFor(stage, decision)!;
        if (t.kind === 'advance') expect(STAGES.indexOf(t.to)).toBe(STAGES.indexOf(stage) + 1);
      }
  });

  it('allows nothing on a closed nomination, whatever is sent', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...DECISIONS), fc.string()),
        fc.option(fc.integer({ min: -5, max: 105 })),
        fc.option(fc.string()),
        (decision, score, comment) => {
          expect(decisionProblem('closed', { decision, score, comment })).toBe('the nomination is closed');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('takes a score only at the provincial review, and only a whole number from 0 to 100', () => {
    const score = fc.oneof(
      fc.integer({ min: -1000, max: 1000 }),
      fc.double({ min: -10, max: 110 }),
      fc.constantFrom(NaN, Infinity, -Infinity, -0),
    );
    fc.assert(
      fc.property(fc.constantFrom(...STAGES), score, (stage, s) => {
        const decision = allowedDecisions(stage).find((d) => d !== 'request_revision')!;
        const problem = decisionProblem(stage, { decision, score: s });
        const good = stage === 'provincial_review' && Number.isInteger(s) && s >= 0 && s <= 100;
        expect(problem === undefined).toBe(good);
      }),
      { numRuns: 400 },
    );
  });
});
