/**
 * The workflow's notion of "now", the only place workflows/ reads the clock. Inside Temporal's sandbox
 * `Date` is replaced by the time of the current workflow task, which is deterministic on replay and
 * follows the time-skipping test server, so this is safe here (and only here, in workflows/).
 */
export function workflowNowMs(): number {
  return Date.now();
}

export function workflowNow(): string {
  return new Date(workflowNowMs()).toISOString();
}
