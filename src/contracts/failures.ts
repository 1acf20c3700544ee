/** Failure types shared by the workflows, the activities and the API (which maps them to HTTP statuses). */

/** Failure types a validator throws. */
export const REFUSAL = {
  /** The request conflicts with the nomination's current state (closed, task not open, already decided). */
  conflict: 'DecisionConflict',
  /** The request itself is invalid for the task (not allowed here, missing score or comment, limit reached). */
  invalid: 'DecisionInvalid',
  /** The actor may not act on this task. */
  forbidden: 'DecisionForbidden',
  /**
   * The request was valid but PostgreSQL refused to record its data (a data error the edge let through):
   * nothing changed, and the same request will be refused again.
   */
  unrecorded: 'RequestUnrecorded',
} as const;

/**
 * The `conflict` refusal of a request that arrives while another is being applied: it says nothing about
 * the request itself, so the API sends it again shortly (TemporalCalls, kind `request`).
 */
export const BUSY_MESSAGE = 'another request on this nomination is being recorded';

/** The failure type of an activity whose step PostgreSQL refused for its data (never retried). */
export const PROJECTION_DATA_ERROR = 'ProjectionDataError';
