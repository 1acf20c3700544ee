/**
 * Absence cover "right now": the absence row `alias` names `acting` (a placeholder such as `$1`) as the
 * colleague acting for its absent user at this moment. The inbox, a task's answer and a decision on behalf
 * of the holder all ask this one condition.
 */
export function coveringNow(alias: string, acting: string): string {
  return `${alias}.acting_user_id = ${acting} AND ${alias}.starts_at <= now() AND ${alias}.ends_at > now()`;
}
