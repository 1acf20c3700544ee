/**
 * The workflow's notion of "now". Inside Temporal's sandbox `Date` is replaced by the time of the
 * current workflow task, which is deterministic on replay and follows the time-skipping test server,
 * so this is safe here (and only here, in workflows/).
 */
export function workflowNow(): string {
  return new Date().toISOString();
}
