/**
 * The one parser of times a client sends (pure, no Node-only APIs: the workflow may import it).
 *
 * Accepted: an RFC 3339 date-time with an explicit offset, `2026-10-15T17:00:00+07:00`,
 * `2026-10-15T10:00:00.5Z`: a real calendar date (no 2026-02-30, which `Date.parse` rolls over to
 * 2 March), hours 00–23, minutes and seconds 00–59 (no leap second: PostgreSQL and Temporal have none),
 * an offset of `Z` or `±hh:mm` within ±14:00 (the widest in use, Kiribati), a year from 1900 to 9999 (and
 * before the year 10000 in UTC), and at most 9 fraction digits (kept to the millisecond). Only the
 * upper-case `T` and `Z` (RFC 3339 lets an application restrict itself to them). Refused: week and
 * ordinal dates, dates without a time, times without seconds or without an offset (whose meaning would
 * depend on the server's zone), and everything else ISO 8601 allows.
 */

export const MAX_OFFSET_MINUTES = 14 * 60;
export const MIN_YEAR = 1900;
/** 10000-01-01T00:00:00Z: later instants have no four-digit ISO form (toISOString gives +010000-…). */
const END_MS = 253402300800000;

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

export type TimeResult = { ok: true; ms: number } | { ok: false; reason: string };

/** Days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses one time, or says in words (after the field's name) what is wrong with it. */
export function parseTime(value: unknown): TimeResult {
  const fail = (reason: string): TimeResult => ({ ok: false, reason });
  if (typeof value !== 'string') return fail('must be a date-time string such as 2026-10-15T17:00:00+07:00');
  const m = RFC3339.exec(value);
  if (!m) {
    return fail(
      'must be an RFC 3339 date-time with an offset, such as 2026-10-15T17:00:00+07:00 or 2026-10-15T10:00:00Z',
    );
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (year < MIN_YEAR) return fail(`must have a year from ${MIN_YEAR} to 9999`);
  if (month < 1 || month > 12) return fail(`has no month ${m[2]}`);
  if (day < 1 || day > daysInMonth(year, month))
    return fail(`is not a real date: ${m[1]}-${m[2]} has no day ${m[3]}`);
  if (hour > 23 || minute > 59 || second > 59) return fail('must have a time from 00:00:00 to 23:59:59');
  let offsetMinutes = 0;
  if (!m[8]) {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    if (om > 59) return fail('must have an offset whose minutes are 00–59');
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
    if (Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) return fail('must have an offset within ±14:00');
  }
  const millis = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millis);
  const ms = utc.getTime() - offsetMinutes * 60_000;
  if (ms >= END_MS) return fail('must be before the year 10000 in UTC');
  return { ok: true, ms };
}

/** The time in milliseconds since the epoch, or undefined when it is not one `parseTime` accepts. */
export function timeMs(value: unknown): number | undefined {
  const r = parseTime(value);
  return r.ok ? r.ms : undefined;
}
