import type { Decision, Outcome } from '../../src/domain/nomination';

/** One request a person makes on the way through the round. */
export type Step =
  | { kind: 'decision'; decision: Decision; score?: number; comment?: string }
  | { kind: 'resubmit' }
  | { kind: 'withdraw' };

/** A nomination's scripted way: the requests in order, and where they must leave it. */
export interface Script {
  name: string;
  steps: Step[];
  outcome: Outcome;
  revisions: number;
}

const d = (
  decision: Decision,
  extra: Omit<Extract<Step, { kind: 'decision' }>, 'kind' | 'decision'> = {},
): Step => ({
  kind: 'decision',
  decision,
  ...extra,
});
const revise = (comment: string): Step[] => [d('request_revision', { comment }), { kind: 'resubmit' }];

/** The mix of outcomes, chosen in turn by a nomination's number. */
export const SCRIPTS: Script[] = [
  {
    name: 'recognized_provincial',
    steps: [d('accept'), d('recognize'), d('propose'), d('recommend', { score: 88 }), d('recognize')],
    outcome: 'recognized_provincial',
    revisions: 0,
  },
  {
    name: 'recognized_district',
    steps: [d('accept'), d('recognize'), d('propose'), d('not_recommend', { score: 41 })],
    outcome: 'recognized_district',
    revisions: 0,
  },
  {
    name: 'not_proposed',
    steps: [d('accept'), d('recognize'), d('not_propose')],
    outcome: 'recognized_district',
    revisions: 0,
  },
  {
    name: 'not_recognized',
    steps: [d('accept'), d('not_recognize')],
    outcome: 'not_recognized',
    revisions: 0,
  },
  {
    name: 'rejected',
    steps: [d('reject', { comment: 'Không đúng đối tượng' })],
    outcome: 'rejected',
    revisions: 0,
  },
  { name: 'withdrawn', steps: [d('accept'), { kind: 'withdraw' }], outcome: 'withdrawn', revisions: 0 },
  {
    name: 'revised_at_registration',
    steps: [...revise('Bổ sung số hộ tham gia'), d('accept'), d('recognize'), d('not_propose')],
    outcome: 'recognized_district',
    revisions: 1,
  },
  {
    name: 'revised_at_provincial_review',
    steps: [
      d('accept'),
      d('recognize'),
      d('propose'),
      d('request_revision', { comment: 'Bổ sung minh chứng hiệu quả', score: 70 }),
      { kind: 'resubmit' },
      d('recommend', { score: 92 }),
      d('recognize'),
    ],
    outcome: 'recognized_provincial',
    revisions: 1,
  },
  {
    name: 'district_not_recognized_after_revision',
    steps: [d('accept'), ...revise('Làm rõ cách nhân rộng'), d('not_recognize')],
    outcome: 'not_recognized',
    revisions: 1,
  },
];

export function scriptFor(n: number): Script {
  return SCRIPTS[n % SCRIPTS.length];
}

/** Audit events a script leaves: the registration, then one per request. */
export function expectedAuditCount(s: Script): number {
  return 1 + s.steps.length;
}

/** The audit actions a script leaves, in `seq` order. */
export function expectedActions(s: Script): string[] {
  const action = { decision: 'decided', resubmit: 'resubmitted', withdraw: 'withdrawn' } as const;
  return ['registered', ...s.steps.map((st) => action[st.kind])];
}

/** Each revision request notifies the submitting unit's submitters: one notification, one email. */
export function expectedNotifications(s: Script): number {
  return s.steps.filter((st) => st.kind === 'decision' && st.decision === 'request_revision').length;
}
