/**
 * Pure domain rules of a nomination (docs/design.md §2). Imported by workflows/ (deterministic sandbox),
 * activities/ and src/ alike, so nothing here may touch Node APIs, I/O or the clock.
 */

export const STAGES = [
  'district_registration',
  'district_review',
  'provincial_proposal',
  'provincial_review',
  'recognition',
] as const;
export type Stage = (typeof STAGES)[number];
/** A nomination is in one of the five stages, or closed with an outcome. */
export type NominationStage = Stage | 'closed';

export const OUTCOMES = [
  'recognized_provincial',
  'recognized_district',
  'not_recognized',
  'rejected',
  'withdrawn',
  'expired',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const FIELDS = ['economic', 'culture_society', 'defense_security', 'political_system'] as const;
export type Field = (typeof FIELDS)[number];

export const KINDS = ['collective', 'individual'] as const;
export type Kind = (typeof KINDS)[number];

export const ROLES = ['submitter', 'district_reviewer', 'provincial_reviewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const DECISIONS_BY_STAGE = {
  district_registration: ['accept', 'request_revision', 'reject'],
  district_review: ['recognize', 'not_recognize', 'request_revision'],
  provincial_proposal: ['propose', 'not_propose'],
  provincial_review: ['recommend', 'not_recommend', 'request_revision'],
  recognition: ['recognize', 'not_recognize'],
} as const satisfies Record<Stage, readonly string[]>;
export type Decision = (typeof DECISIONS_BY_STAGE)[Stage][number];
export const DECISIONS: readonly Decision[] = [...new Set(STAGES.flatMap((s) => DECISIONS_BY_STAGE[s]))];

/** What a decision does to the nomination. */
export type Transition =
  { kind: 'advance'; to: Stage } | { kind: 'close'; outcome: Outcome } | { kind: 'revision' };

const TRANSITIONS: { [S in Stage]: Record<(typeof DECISIONS_BY_STAGE)[S][number], Transition> } = {
  district_registration: {
    accept: { kind: 'advance', to: 'district_review' },
    reject: { kind: 'close', outcome: 'rejected' },
    request_revision: { kind: 'revision' },
  },
  district_review: {
    recognize: { kind: 'advance', to: 'provincial_proposal' },
    not_recognize: { kind: 'close', outcome: 'not_recognized' },
    request_revision: { kind: 'revision' },
  },
  provincial_proposal: {
    propose: { kind: 'advance', to: 'provincial_review' },
    // Recognized at district level, but the unit chose not to send it up.
    not_propose: { kind: 'close', outcome: 'recognized_district' },
  },
  provincial_review: {
    recommend: { kind: 'advance', to: 'recognition' },
    not_recommend: { kind: 'close', outcome: 'recognized_district' },
    request_revision: { kind: 'revision' },
  },
  recognition: {
    recognize: { kind: 'close', outcome: 'recognized_provincial' },
    not_recognize: { kind: 'close', outcome: 'recognized_district' },
  },
};

export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

export function allowedDecisions(stage: Stage): readonly Decision[] {
  return DECISIONS_BY_STAGE[stage];
}

export function isDecisionAllowed(stage: Stage, decision: string): decision is Decision {
  return (DECISIONS_BY_STAGE[stage] as readonly string[]).includes(decision);
}

/** The transition a decision causes; undefined when the stage does not allow it. */
export function transitionFor(stage: Stage, decision: string): Transition | undefined {
  if (!isDecisionAllowed(stage, decision)) return undefined;
  return (TRANSITIONS[stage] as Record<string, Transition>)[decision];
}

/** The provincial review scores each proposal; no other stage takes a score. */
export function stageRequiresScore(stage: Stage): boolean {
  return stage === 'provincial_review';
}

export const SCORE_MIN = 0;
export const SCORE_MAX = 100;

/**
 * Who acts on a stage's task: the district-level unit's reviewers register, review and propose; the
 * province reviews and recognizes. Administrators may act anywhere within their unit's subtree.
 */
export function actingLevel(stage: Stage): 'district' | 'province' {
  return stage === 'provincial_review' || stage === 'recognition' ? 'province' : 'district';
}

export function assigneeRoleFor(stage: Stage): Role {
  return actingLevel(stage) === 'province' ? 'provincial_reviewer' : 'district_reviewer';
}

/** Why a decision is refused, in words an API client can show; undefined when it is acceptable. */
export function decisionProblem(
  stage: NominationStage,
  input: { decision: string; score?: number | null; comment?: string | null },
): string | undefined {
  if (stage === 'closed') return 'the nomination is closed';
  if (!isDecisionAllowed(stage, input.decision)) {
    return `decision '${input.decision}' is not allowed at stage ${stage}; allowed: ${allowedDecisions(stage).join(', ')}`;
  }
  const hasScore = input.score !== undefined && input.score !== null;
  if (stageRequiresScore(stage) && !hasScore) return `score is required at stage ${stage}`;
  if (!stageRequiresScore(stage) && hasScore) return `score is only given at stage provincial_review`;
  if (
    hasScore &&
    !(Number.isInteger(input.score) && input.score! >= SCORE_MIN && input.score! <= SCORE_MAX)
  ) {
    return `score must be an integer from ${SCORE_MIN} to ${SCORE_MAX}`;
  }
  if (transitionFor(stage, input.decision)?.kind === 'revision' && !input.comment?.trim()) {
    return 'comment is required when requesting a revision';
  }
  return undefined;
}

/** Workflow id derived from the nomination id, so a retried start finds the same workflow. */
export function nominationWorkflowId(nominationId: string): string {
  return `nomination-${nominationId}`;
}

/** The nomination a workflow id names (nominationWorkflowId's inverse), for lines that carry only the latter. */
export function nominationIdOfWorkflow(workflowId: string): string | undefined {
  return workflowId.startsWith('nomination-') ? workflowId.slice('nomination-'.length) : undefined;
}
