import type { NominationsRepository } from './nominations.repository';

/** A person's request on a nomination, as its audit event records it. */
export interface RequestStep {
  action: 'withdrawn' | 'cancelled' | 'resubmitted';
  comment: string | null;
}

/**
 * Whether the nomination's latest recorded step is this person's same request: a client resending a
 * withdrawal or a resubmission whose answer it lost (a crash, a timeout) finds it applied, and the
 * workflow refuses it as a conflict (the nomination is closed, no revision is open). Nothing else has
 * happened since, so the retry is answered with the nomination as the first answer left it.
 */
export async function isLatestStep(
  repo: NominationsRepository,
  nominationId: string,
  userId: string,
  step: RequestStep,
): Promise<boolean> {
  const last = await repo.latestStep(nominationId);
  return last?.actor_user_id === userId && last.action === step.action && last.comment === step.comment;
}
