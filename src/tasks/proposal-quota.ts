import { ConflictException } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { type ProposalCount, type Quotas, quotaRefusal } from '../domain/campaign';
import type { Field } from '../domain/nomination';
import type { DecisionInput } from '../contracts/nomination.messages';

/*
 * Quotas on proposals without holding a connection while a workflow answers (issue 11, item 6). A place
 * is reserved in a short transaction and committed; the Update is sent with no connection held; then the
 * reservation is dropped: the proposal itself now counts (the workflow answers only once the read model
 * has it), or the workflow refused. A unit's count is its proposed nominations plus its live
 * reservations, so two reviewers proposing at once cannot both take the last place.
 */

/**
 * How long a reservation lives when nobody settles it (the API crashed, or the Update outlived its
 * deadline and may still be applied): long enough to cover a late Update and the client's resend, which
 * renews it; short enough that a crashed API's places come back within minutes.
 */
export function reservationTtlMs(requestTimeoutMs: number): number {
  return Math.max(60_000, 6 * requestTimeoutMs);
}

interface Proposal {
  nominationId: string;
  taskId: string;
}

/**
 * Reserves a place for this proposal and returns what the workflow's validator needs to judge the quota
 * again (undefined: the campaign has no quota). A unit already at its quota is refused with 409 and the
 * same reason the workflow gives.
 */
export async function reserveProposal(
  ds: DataSource,
  p: Proposal,
  ttlMs: number,
): Promise<DecisionInput['quota'] | undefined> {
  const [n]: {
    campaign_id: string;
    district_unit_id: string;
    field: Field;
    quotas: Quotas;
    unit_name: string;
  }[] = await ds.query(
    `SELECT n.campaign_id, n.district_unit_id, n.field, c.quotas, u.name AS unit_name
         FROM nominations n JOIN campaigns c ON c.id = n.campaign_id JOIN units u ON u.id = n.district_unit_id
        WHERE n.id = $1`,
    [p.nominationId],
  );
  if (!n || (n.quotas.perUnit === undefined && !n.quotas.perField)) return undefined;
  const unit = `proposal:${n.campaign_id}:${n.district_unit_id}`;
  // In this process one at a time per unit before a connection is taken, so that proposals waiting for
  // the unit's lock queue here rather than each holding one of the pool's connections.
  const count = await oneAtATime(unit, () =>
    ds.transaction(async (m): Promise<ProposalCount> => {
      // Across processes: serialises only this count-and-insert of one unit, for milliseconds, never
      // across a Temporal call.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [unit]);
      await m.query(
        `DELETE FROM proposal_reservations WHERE campaign_id = $1 AND district_unit_id = $2 AND expires_at <= now()`,
        [n.campaign_id, n.district_unit_id],
      );
      // This nomination itself is left out: a resent proposal must find the place it already holds.
      const [c]: { proposed: number; in_field: number }[] = await m.query(
        `SELECT count(*)::int AS proposed, count(*) FILTER (WHERE n.field = $3)::int AS in_field
         FROM nominations n
        WHERE n.campaign_id = $1 AND n.district_unit_id = $2 AND n.id <> $4
          AND (n.proposed_at IS NOT NULL OR EXISTS (
                SELECT 1 FROM proposal_reservations r WHERE r.nomination_id = n.id AND r.expires_at > now()))`,
        [n.campaign_id, n.district_unit_id, n.field, p.nominationId],
      );
      const count = {
        unitName: n.unit_name,
        field: n.field,
        proposed: c.proposed,
        proposedInField: c.in_field,
      };
      const full = quotaRefusal(n.quotas, count);
      if (full) throw new ConflictException(`quota reached: ${full}`);
      await m.query(
        `INSERT INTO proposal_reservations (task_id, nomination_id, campaign_id, district_unit_id, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
       ON CONFLICT (task_id) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
        [p.taskId, p.nominationId, n.campaign_id, n.district_unit_id, ttlMs / 1000],
      );
      return count;
    }),
  );
  return { quotas: n.quotas, count };
}

const queues = new Map<string, Promise<unknown>>();

/** Runs `fn` after every earlier call with the same key has finished (in this process). */
async function oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const run = (queues.get(key) ?? Promise.resolve()).then(fn);
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  try {
    return await run;
  } finally {
    if (queues.get(key) === tail) queues.delete(key);
  }
}

/** The proposal is recorded, or was refused: the place it held is no longer needed. */
export async function releaseReservation(ds: DataSource, taskId: string): Promise<void> {
  await ds.query(`DELETE FROM proposal_reservations WHERE task_id = $1`, [taskId]);
}
