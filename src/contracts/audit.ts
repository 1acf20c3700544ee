/**
 * The audit log's vocabulary: what a workflow's step records as its `action`. Written by the workflows,
 * stored by the activities, read back by the API (history pages, reports).
 */

/** Steps of a nomination workflow. */
export type AuditAction =
  | 'registered'
  | 'decided'
  | 'resubmitted'
  | 'withdrawn'
  | 'reminder'
  | 'overdue'
  | 'escalated'
  | 'deadline_changed'
  | 'closed_at_cutoff'
  | 'deadline_extended'
  | 'cancelled'
  | 'claimed'
  | 'unclaimed'
  | 'reassigned'
  | 'released';

/** Steps of a campaign workflow. */
export type CampaignAction = 'calendar_changed' | 'stage_reminder' | 'stage_closed' | 'round_closed';

/** The actor name recorded when the system acted (a timer, a cut-off, a calendar change). */
export const SYSTEM_ACTOR_NAME = 'system';
