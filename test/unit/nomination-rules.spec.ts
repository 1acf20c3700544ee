import {
  DECISIONS_BY_STAGE,
  STAGES,
  allowedDecisions,
  assigneeRoleFor,
  decisionProblem,
  nominationWorkflowId,
  transitionFor,
} from '../../src/domain/nomination';

describe('stage rules', () => {
  it('allows exactly the decisions of docs/design.md §2 at each stage', () => {
    expect(DECISIONS_BY_STAGE).toEqual({
      district_registration: ['accept', 'request_revision', 'reject'],
      district_review: ['recognize', 'not_recognize', 'request_revision'],
      provincial_proposal: ['propose', 'not_propose'],
      provincial_review: ['recommend', 'not_recommend', 'request_revision'],
      recognition: ['recognize', 'not_recognize'],
    });
  });

  it('gives every allowed decision a transition and no other decision one', () => {
    for (const stage of STAGES) {
      for (const decision of allowedDecisions(stage)) expect(transitionFor(stage, decision)).toBeDefined();
      expect(transitionFor(stage, 'approve')).toBeUndefined();
    }
    expect(transitionFor('district_registration', 'recognize')).toBeUndefined();
  });

  it.each([
    ['district_registration', 'accept', { kind: 'advance', to: 'district_review' }],
    ['district_registration', 'reject', { kind: 'close', outcome: 'rejected' }],
    ['district_review', 'recognize', { kind: 'advance', to: 'provincial_proposal' }],
    ['district_review', 'not_recognize', { kind: 'close', outcome: 'not_recognized' }],
    ['provincial_proposal', 'propose', { kind: 'advance', to: 'provincial_review' }],
    ['provincial_proposal', 'not_propose', { kind: 'close', outcome: 'recognized_district' }],
    ['provincial_review', 'recommend', { kind: 'advance', to: 'recognition' }],
    ['provincial_review', 'not_recommend', { kind: 'close', outcome: 'recognized_district' }],
    ['recognition', 'recognize', { kind: 'close', outcome: 'recognized_provincial' }],
    ['recognition', 'not_recognize', { kind: 'close', outcome: 'recognized_district' }],
    ['district_review', 'request_revision', { kind: 'revision' }],
  ] as const)('%s + %s', (stage, decision, expected) => {
    expect(transitionFor(stage, decision)).toEqual(expected);
  });

  it('explains why a decision is refused', () => {
    expect(decisionProblem('closed', { decision: 'accept' })).toBe('the nomination is closed');
    expect(decisionProblem('district_registration', { decision: 'propose' })).toBe(
      "decision 'propose' is not allowed at stage district_registration; allowed: accept, request_revision, reject",
    );
    expect(decisionProblem('provincial_review', { decision: 'recommend' })).toBe(
      'score is required at stage provincial_review',
    );
    expect(decisionProblem('provincial_review', { decision: 'recommend', score: 100 })).toBeUndefined();
    expect(decisionProblem('provincial_review', { decision: 'recommend', score: 0 })).toBeUndefined();
    expect(decisionProblem('provincial_review', { decision: 'recommend', score: 100.5 })).toMatch(
      /integer from 0 to 100/,
    );
    expect(decisionProblem('provincial_review', { decision: 'recommend', score: -1 })).toMatch(
      /integer from 0 to 100/,
    );
    expect(decisionProblem('district_review', { decision: 'recognize', score: 5 })).toMatch(/only given at/);
    expect(decisionProblem('district_review', { decision: 'request_revision', comment: '  ' })).toBe(
      'comment is required when requesting a revision',
    );
    expect(
      decisionProblem('district_review', { decision: 'request_revision', comment: 'Bổ sung số liệu' }),
    ).toBeUndefined();
  });

  it('sends district stages to district reviewers and provincial stages to provincial reviewers', () => {
    expect(STAGES.map(assigneeRoleFor)).toEqual([
      'district_reviewer',
      'district_reviewer',
      'district_reviewer',
      'provincial_reviewer',
      'provincial_reviewer',
    ]);
  });

  it('derives the workflow id from the nomination id', () => {
    expect(nominationWorkflowId('8f0c…')).toBe('nomination-8f0c…');
  });
});
