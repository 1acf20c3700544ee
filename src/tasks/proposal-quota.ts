import { ConflictException } from '@nestjs/common';
import { type ProposalCount, quotaRefusal } from '../domain/campaign';
import type { DecisionInput } from '../contracts/nomination.messages';
import type { TasksRepository } from './tasks.repository';

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
  repo: TasksRepository,
  p: Proposal,
  ttlMs: number,
): Promise<DecisionInput['quota'] | undefined> {
  const n = await repo.proposalContext(p.nominationId);
  if (!n || (n.quotas.perUnit === undefined && !n.quotas.perField)) return undefined;
  const unit = `proposal:${n.campaign_id}:${n.district_unit_id}`;
  // In this process one at a time per unit before a connection is taken, so that proposals waiting for
  // the unit's lock queue here rather than each holding one of the pool's connections.
  const count = await oneAtATime(unit, () =>
    repo.transaction(async (m): Promise<ProposalCount> => {
      // Across processes: serialises only this count-and-insert of one unit, for milliseconds, never
      // across a Temporal call.
      await m.lockForTransaction(unit);
      await m.deleteLapsedReservations(n.campaign_id, n.district_unit_id);
      // This nomination itself is left out: a resent proposal must find the place it already holds.
      const c = await m.proposalCount(n.campaign_id, n.district_unit_id, n.field, p.nominationId);
      const count = {
        unitName: n.unit_name,
        field: n.field,
        proposed: c.proposed,
        proposedInField: c.proposedInField,
      };
      const full = quotaRefusal(n.quotas, count);
      if (full) throw new ConflictException(`quota reached: ${full}`);
      await m.upsertReservation({
        taskId: p.taskId,
        nominationId: p.nominationId,
        campaignId: n.campaign_id,
        districtUnitId: n.district_unit_id,
        ttlMs,
      });
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
export async function releaseReservation(repo: TasksRepository, taskId: string): Promise<void> {
  await repo.deleteReservation(taskId);
}
