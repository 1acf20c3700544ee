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

/** DESIGN.md §2, copied by hand: the oracle the code's table is checked against. */
const DESIGN_DECISIONS: Record<Stage, string[]> = {
  district_registration: ['accept', 'request_revision', 'reject'],
  district_review: ['recognize', 'not_recognize', 'request_revision'],
  provincial_proposal: ['propose', 'not_propose'],
  provincial_review: ['recommend', 'not_recommend', 'request_revision'],
  recognition: ['recognize', 'not_recognize'],
};

/** Where each outcome may be reached (DESIGN.md §2); withdrawn and expired anywhere. */
const OUTCOME_STAGES: Record<Outcome, readonly Stage[]> = {
  rejected: ['district_registration'],
  not_recognized: ['district_review'],
  recognized_district: ['provincial_proposal', 'provincial_review', 'recognition'],
  recognized_provincial: ['recognition'],
  withdrawn: STAGES,
  expired: STAGES,
};

type Step = string; // a decision word, or 'withdraw' | 'cutoff' | 'resubmit'

interface Walk {
  steps: Step[];
  stages: Stage[];
  outcomes: Outcome[];
  closedAt?: Stage;
  revisions: number;
}

/**
 * A nomination driven by `choices` the way the workflow drives it: at a review task any decision its
 * stage allows (a revision request only below the limit), a withdrawal or the hard cut-off; at a revision
 * task a resubmission, a withdrawal or the revision deadline passing. Stops when it closes or the choices
 * run out.
 */
function walk(choices: number[], maxRevisions: number): Walk {
  const w: Walk = { steps: [], stages: ['district_registration'], outcomes: [], revisions: 0 };
  let stage: Stage = 'district_registration';
  let revising = false;
  const close = (outcome: Outcome) => {
    w.outcomes.push(outcome);
    w.closedAt = stage;
  };
  for (const choice of choices) {
    if (w.outcomes.length > 0) break;
    const options: Step[] = revising
      ? ['resubmit', 'withdraw', 'cutoff']
      : [
          ...allowedDecisions(stage).filter((d) => d !== 'request_revision' || w.revisions < maxRevisions),
          'withdraw',
          'cutoff',
        ];
    const step = options[choice % options.length];
    w.steps.push(step);
    if (step === 'withdraw') close('withdrawn');
    else if (step === 'cutoff') close(revising ? 'expired' : cutoffOutcome(stage));
    else if (step === 'resubmit') revising = false;
    else {
      const t = transitionFor(stage, step);
      if (!t) throw new Error(`no transition for allowed decision ${step} at ${stage}`);
      if (t.kind === 'close') close(t.outcome);
      else if (t.kind === 'revision') {
        revising = true;
        w.revisions += 1;
      } else {
        stage = t.to;
        w.stages.push(stage);
      }
    }
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
      { numRuns: 500 },
    );
  });

  it('reaches every outcome of the vocabulary from some walk', () => {
    const seen = new Set<Outcome>();
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 5 }), { minLength: LONGEST_WALK, maxLength: LONGEST_WALK }), (c) => {
        seen.add(walk(c, DEFAULT_MAX_REVISIONS).outcomes[0]);
      }),
      { numRuns: 300 },
    );
    expect([...seen].sort()).toEqual([...OUTCOMES].sort());
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
