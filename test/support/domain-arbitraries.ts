import fc from 'fast-check';
import { type Calendar, HOUR_MS, type StageDeadline } from '../../src/domain/calendar';
import { STAGES, type Stage } from '../../src/domain/nomination';

/*
 * Generators of the pure domain's inputs for the property tests (test/unit/*.property.spec.ts), built
 * from docs/design.md §5 and CALENDAR_LIMITS alone, never from the code under test.
 */

export const MINUTE_MS = 60_000;
const FROM = Date.parse('2000-01-01T00:00:00Z');
const UNTIL = Date.parse('2090-01-01T00:00:00Z');

/** An instant on a whole minute, so that any UTC offset below renders it exactly. */
export const instant = fc
  .integer({ min: FROM / MINUTE_MS, max: UNTIL / MINUTE_MS })
  .map((m) => m * MINUTE_MS);

/** Hours as a calendar may give them: quarter hours (exact in binary) from 0.25 to `max`. */
export const hours = (max: number) => fc.integer({ min: 1, max: max * 4 }).map((q) => q / 4);

/** An RFC 3339 time of `ms` written in the zone `offsetMinutes` east of UTC (within ±14:00). */
export function rfc3339(ms: number, offsetMinutes = 0): string {
  if (offsetMinutes === 0) return new Date(ms).toISOString();
  const local = new Date(ms + offsetMinutes * MINUTE_MS).toISOString().slice(0, 19);
  const a = Math.abs(offsetMinutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${local}${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** A UTC offset in use somewhere, or plain Z. */
export const zone = fc.oneof(
  fc.constant(0),
  fc.integer({ min: -12 * 4, max: 14 * 4 }).map((q) => q * 15),
);

/** A duration of whole minutes from 0 to `maxMs`. */
const span = (maxMs: number) =>
  fc.integer({ min: 0, max: Math.floor(maxMs / MINUTE_MS) }).map((m) => m * MINUTE_MS);

const DAY_MS = 24 * HOUR_MS;
const tie = (a: fc.Arbitrary<number>) =>
  fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: a, weight: 3 });

/**
 * A calendar the API must accept (docs/design.md §5, CALENDAR_LIMITS): every stage, cut-off not before its due
 * date, each stage due no earlier than the previous cut-off, at most 10 distinct reminder offsets, and an
 * overdue task escalated at most 200 times before its cut-off.
 */
export const validCalendar: fc.Arbitrary<Calendar> = fc
  .record({
    escalationCadenceHours: fc.option(
      hours(2160).filter((h) => h >= 1),
      { nil: undefined },
    ),
    start: instant,
    zones: fc.array(zone, { minLength: 10, maxLength: 10 }),
    reminderOffsetsHours: fc.uniqueArray(fc.integer({ min: 1, max: 2160 * 4 }), { maxLength: 10 }),
    revisionWindowHours: hours(2160),
    maxRevisions: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
    resubmissionReviewHours: fc.option(hours(720), { nil: undefined }),
  })
  .chain((c) => {
    const cadenceMs = (c.escalationCadenceHours ?? 24) * HOUR_MS;
    const widest = Math.min(90 * DAY_MS, 200 * cadenceMs);
    return (
      fc
        // Coinciding dates (a short round's) often: ties are where orderings break.
        .array(fc.tuple(tie(span(60 * DAY_MS)), tie(span(widest))), { minLength: 5, maxLength: 5 })
        .map((gaps): Calendar => {
          const stages = {} as Record<Stage, StageDeadline>;
          let at = c.start;
          STAGES.forEach((stage, i) => {
            const due = at + gaps[i][0];
            const cutoff = due + gaps[i][1];
            stages[stage] = {
              dueAt: rfc3339(due, c.zones[2 * i]),
              cutoffAt: rfc3339(cutoff, c.zones[2 * i + 1]),
            };
            at = cutoff;
          });
          const calendar: Calendar = {
            stages,
            reminderOffsetsHours: c.reminderOffsetsHours.map((q) => q / 4),
            revisionWindowHours: c.revisionWindowHours,
          };
          // Optional keys only when given: an explicit undefined is not what a client's JSON carries.
          if (c.escalationCadenceHours !== undefined)
            calendar.escalationCadenceHours = c.escalationCadenceHours;
          if (c.maxRevisions !== undefined) calendar.maxRevisions = c.maxRevisions;
          if (c.resubmissionReviewHours !== undefined)
            calendar.resubmissionReviewHours = c.resubmissionReviewHours;
          return calendar;
        })
    );
  });

/** The same instant, as milliseconds. */
export const ms = (time: string) => Date.parse(time);
