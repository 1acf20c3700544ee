import fc from 'fast-check';
import {
  advanceProgress,
  type Calendar,
  calendarProblems,
  type DeadlineEvent,
  type DeadlineProgress,
  DEFAULT_ESCALATION_CADENCE_HOURS,
  freshProgress,
  HOUR_MS,
  nextDeadlineEvent,
  resubmissionReviewDeadline,
  resubmissionWindowEnd,
  revisionDeadline,
  type StageDeadline,
} from '../../src/domain/calendar';
import {
  advanceCampaignProgress,
  calendarChangeProblems,
  type CampaignEvent,
  type CampaignProgress,
  closedStages,
  isUnitStage,
  nextCampaignEvent,
  registrationProblem,
} from '../../src/domain/campaign';
import { STAGES } from '../../src/domain/nomination';
import { hours, instant, MINUTE_MS, ms, rfc3339, validCalendar, zone } from '../support/domain-arbitraries';

const DAY_MS = 24 * HOUR_MS;

/**
 * The events a task nobody acts on goes through, as the workflow fires them: each at its time, until the
 * cut-off, or only those due by `until` (the rest stay pending in the returned progress). With `floor`,
 * the rule of workflows since the deadline floor (nomination-deadline-floor); without, the rule before.
 */
function timeline(
  d: StageDeadline,
  cal: Pick<Calendar, 'reminderOffsetsHours' | 'escalationCadenceHours'>,
  openedAt: number,
  from: DeadlineProgress = freshProgress(d.dueAt),
  until = Infinity,
  floor?: number,
): { events: DeadlineEvent[]; progress: DeadlineProgress } {
  const events: DeadlineEvent[] = [];
  let progress = from;
  for (let guard = 0; guard < 1000; guard++) {
    const e = nextDeadlineEvent(d, cal, progress, openedAt, floor);
    if (e.at > until) return { events, progress };
    events.push(e);
    if (e.kind === 'cutoff') return { events, progress };
    progress = advanceProgress(progress, d.dueAt, e);
  }
  throw new Error('no cut-off after 1000 events');
}

/**
 * The order every task's events keep, whatever its dates: reminders, overdue, escalations (on the cadence
 * from `escalateFrom`, the due date unless a floor is later), cut-off last. Checked in plain code (one
 * expect at the end) so that hundreds of escalations stay fast.
 */
function expectOrdered(
  events: DeadlineEvent[],
  d: StageDeadline,
  cal: Pick<Calendar, 'escalationCadenceHours'>,
  escalateFrom = ms(d.dueAt),
): void {
  const due = ms(d.dueAt);
  const cutoff = ms(d.cutoffAt);
  const cadence = (cal.escalationCadenceHours ?? DEFAULT_ESCALATION_CADENCE_HOURS) * HOUR_MS;
  const wrong: string[] = [];
  const check = (ok: boolean, what: string, e?: DeadlineEvent) => {
    if (!ok) wrong.push(`${what}${e ? `: ${JSON.stringify(e)}` : ''}`);
  };
  const cutoffs = events.filter((e) => e.kind === 'cutoff');
  check(cutoffs.length === 1 && cutoffs[0].at === cutoff, 'exactly one cut-off, at cutoffAt');
  check(events[events.length - 1].kind === 'cutoff', 'the cut-off last');
  const overdue = events.findIndex((e) => e.kind === 'overdue');
  events.forEach((e, i) => {
    if (i > 0) check(e.at > events[i - 1].at, 'strictly later than the event before', e);
    if (e.kind !== 'cutoff') check(e.at < cutoff, 'before the cut-off', e);
    if (e.kind === 'reminder') {
      check(e.at < due && e.at === due - e.offsetHours * HOUR_MS, 'offsetHours before the due date', e);
      check(overdue < 0 || i < overdue, 'before overdue', e);
    }
    if (e.kind === 'overdue') check(e.at === due, 'at the due date', e);
    if (e.kind === 'escalation') {
      check(
        e.at > escalateFrom && (e.at - escalateFrom) % cadence === 0,
        'after the due date and the floor, on the cadence',
        e,
      );
      check(i > overdue, 'after overdue', e);
    }
  });
  const offsets = events.flatMap((e) => (e.kind === 'reminder' ? [e.offsetHours] : []));
  check(new Set(offsets).size === offsets.length, 'each reminder once');
  expect(wrong).toEqual([]);
}

/** One stage of a valid calendar, and a time the task opened: before its due date, or after it. */
const task = validCalendar.chain((cal) =>
  fc.record({
    cal: fc.constant(cal),
    d: fc.constantFrom(...STAGES).map((s) => cal.stages[s]),
    openedBeforeDueMs: fc.integer({ min: -10 * DAY_MS, max: 100 * DAY_MS }),
  }),
);

describe('deadline arithmetic, as properties', () => {
  it('reminds strictly before the due date, escalates after it, and ends at the cut-off', () => {
    fc.assert(
      fc.property(task, ({ cal, d, openedBeforeDueMs }) => {
        const openedAt = Math.min(ms(d.dueAt) - openedBeforeDueMs, ms(d.cutoffAt));
        const { events } = timeline(d, cal, openedAt);
        expectOrdered(events, d, cal);
        // Every reminder whose time is after the opening and before the cut-off is sent, once; no other.
        const due = ms(d.dueAt);
        const expected = cal.reminderOffsetsHours
          .filter((h) => due - h * HOUR_MS >= openedAt && due - h * HOUR_MS < ms(d.cutoffAt))
          .sort((a, b) => b - a);
        expect(events.flatMap((e) => (e.kind === 'reminder' ? [e.offsetHours] : []))).toEqual(expected);
        // Reminders are never sent late; overdue and escalations of a task opened late are (the report).
        for (const e of events) if (e.kind === 'reminder') expect(e.at).toBeGreaterThanOrEqual(openedAt);
        // Overdue exactly when the cut-off is later than the due date; escalations bounded by the limit.
        expect(events.some((e) => e.kind === 'overdue')).toBe(ms(d.cutoffAt) > due);
        expect(events.filter((e) => e.kind === 'escalation').length).toBeLessThanOrEqual(200);
      }),
      { numRuns: 300 },
    );
  });

  it('with a floor, a task opened late is overdue once, then escalated on the cadence from its opening', () => {
    fc.assert(
      fc.property(task, ({ cal, d, openedBeforeDueMs }) => {
        const openedAt = Math.min(ms(d.dueAt) - openedBeforeDueMs, ms(d.cutoffAt));
        const { events } = timeline(d, cal, openedAt, freshProgress(d.dueAt), Infinity, openedAt);
        const due = ms(d.dueAt);
        expectOrdered(events, d, cal, Math.max(due, openedAt));
        // Nothing else is already due when it opens: at most the one "overdue" (no burst of escalations).
        const late = events.filter((e) => e.kind !== 'cutoff' && e.at <= openedAt);
        expect(late.filter((e) => e.kind !== 'overdue' && e.at < openedAt)).toEqual([]);
        expect(late.filter((e) => e.kind === 'escalation')).toEqual([]);
        const expected = cal.reminderOffsetsHours
          .filter((h) => due - h * HOUR_MS >= openedAt && due - h * HOUR_MS < ms(d.cutoffAt))
          .sort((a, b) => b - a);
        expect(events.flatMap((e) => (e.kind === 'reminder' ? [e.offsetHours] : []))).toEqual(expected);
        expect(events.some((e) => e.kind === 'overdue')).toBe(ms(d.cutoffAt) > due);
      }),
      { numRuns: 300 },
    );
  });

  it('gives a revision one deadline, due and cut-off at once, revisionWindowHours after the request', () => {
    fc.assert(
      fc.property(validCalendar, instant, (cal, requestedAt) => {
        const d = revisionDeadline(requestedAt, cal);
        expect(d.dueAt).toBe(d.cutoffAt);
        expect(ms(d.cutoffAt) - requestedAt).toBe(cal.revisionWindowHours * HOUR_MS);
        const { events } = timeline(d, cal, requestedAt);
        expectOrdered(events, d, cal);
        expect(events.some((e) => e.kind === 'overdue' || e.kind === 'escalation')).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  /*
   * An extension as the workflow's validator admits it (workflows/nomination.workflow.ts
   * validateExtension): cut-off not before due, cut-off after now, neither date earlier than before.
   */
  const extension = task.chain(({ cal, d, openedBeforeDueMs }) => {
    const openedAt = Math.min(ms(d.dueAt) - openedBeforeDueMs, ms(d.cutoffAt) - MINUTE_MS);
    return fc
      .record({
        nowAfterOpen: fc.integer({ min: 0, max: Math.max(0, ms(d.cutoffAt) - openedAt - 1) }),
        moreDue: fc.nat({ max: 30 * DAY_MS }),
        moreCutoff: fc.nat({ max: 30 * DAY_MS }),
        zones: fc.tuple(zone, zone),
      })
      .map((x) => {
        const now = openedAt + x.nowAfterOpen;
        const due = ms(d.dueAt) + Math.floor(x.moreDue / MINUTE_MS) * MINUTE_MS;
        const cutoff =
          Math.max(due, ms(d.cutoffAt), now + MINUTE_MS) + Math.floor(x.moreCutoff / MINUTE_MS) * MINUTE_MS;
        // An unchanged date is sent back as it was written (see the report of issue 19 on re-spelt dates).
        const keep = (at: number, was: string, z: number) => (at === ms(was) ? was : rfc3339(at, z));
        const next = {
          dueAt: keep(due, d.dueAt, x.zones[0]),
          cutoffAt: keep(cutoff, d.cutoffAt, x.zones[1]),
        };
        return { cal, d, openedAt, now, next };
      });
  });

  it('keeps the order after an extension, and never closes the task in the past', () => {
    fc.assert(
      fc.property(extension, ({ cal, d, openedAt, now, next }) => {
        // What fired before the extension, then what follows it from the progress carried over.
        const before = timeline(d, cal, openedAt, freshProgress(d.dueAt), now);
        const after = timeline(next, cal, openedAt, before.progress).events;
        expectOrdered(after, next, cal);
        expect(ms(next.cutoffAt)).toBeGreaterThan(now);
        for (const e of after) {
          if (e.kind === 'cutoff') expect(e.at).toBeGreaterThan(now);
          // Escalations are counted from the due date: only one already escalated keeps them ahead.
          if (e.kind === 'escalation' && next.dueAt === d.dueAt) expect(e.at).toBeGreaterThan(now);
          // The task was opened before now: the code's floor for reminders is the opening.
          if (e.kind === 'reminder') expect(e.at).toBeGreaterThanOrEqual(openedAt);
        }
        // An unchanged due date keeps what was sent: no reminder twice, no second "overdue".
        if (next.dueAt === d.dueAt) {
          const sent = before.events.filter((e) => e.kind === 'reminder' || e.kind === 'overdue');
          for (const e of sent) expect(after).not.toContainEqual(e);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('with a floor, an extension sends nothing already past but one "overdue", and escalates from then', () => {
    fc.assert(
      fc.property(extension, ({ cal, d, openedAt, now, next }) => {
        // As the workflow tracks it: a new due date re-dates the task now; the same one keeps its floor.
        const before = timeline(d, cal, openedAt, freshProgress(d.dueAt), now, openedAt);
        const floor = next.dueAt === d.dueAt ? openedAt : now;
        const after = timeline(next, cal, openedAt, before.progress, Infinity, floor).events;
        expectOrdered(after, next, cal, Math.max(ms(next.dueAt), floor));
        for (const e of after) {
          if (e.kind === 'reminder') expect(e.at).toBeGreaterThanOrEqual(floor);
          if (e.kind === 'escalation' || e.kind === 'cutoff') expect(e.at).toBeGreaterThan(now);
        }
        if (next.dueAt !== d.dueAt) {
          // Only the new due date's "overdue" may be already past; it fires once, then the cadence from now.
          expect(after.filter((e) => e.at < now && e.kind !== 'overdue')).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never pulls a resubmitted model’s review dates inside its window, nor out of order', () => {
    fc.assert(
      fc.property(validCalendar, fc.constantFrom(...STAGES), instant, (cal, stage, resubmittedAt) => {
        const windowEnd = resubmissionWindowEnd(resubmittedAt, cal);
        const d = resubmissionReviewDeadline(cal.stages[stage], windowEnd);
        expect(ms(d.dueAt)).toBeGreaterThanOrEqual(ms(windowEnd));
        expect(ms(d.cutoffAt)).toBeGreaterThanOrEqual(ms(d.dueAt));
        expect(ms(d.dueAt)).toBe(Math.max(ms(cal.stages[stage].dueAt), ms(windowEnd)));
        expect(ms(d.cutoffAt)).toBe(Math.max(ms(cal.stages[stage].cutoffAt), ms(windowEnd)));
        expect(ms(windowEnd)).toBeGreaterThan(resubmittedAt);
      }),
      { numRuns: 200 },
    );
  });
});

type Mutation = { name: string; field: string; apply: (c: Record<string, any>) => void }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Ways to break a valid calendar, each with the field the validator must name. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...STAGES).chain((s) =>
    fc.constantFrom<Mutation>(
      {
        name: 'cut-off before due',
        field: `calendar.stages.${s}.cutoffAt`,
        apply: (c) => (c.stages[s].cutoffAt = rfc3339(ms(c.stages[s].dueAt) - MINUTE_MS)),
      },
      { name: 'stage missing', field: `calendar.stages.${s}`, apply: (c) => delete c.stages[s] },
      {
        name: 'no offset',
        field: `calendar.stages.${s}.dueAt`,
        apply: (c) => (c.stages[s].dueAt = rfc3339(ms(c.stages[s].dueAt)).replace('Z', '')),
      },
      {
        name: 'not a date',
        field: `calendar.stages.${s}.dueAt`,
        apply: (c) => (c.stages[s].dueAt = c.stages[s].dueAt.replace(/-(\d\d)T/, '-32T')),
      },
    ),
  ),
  fc.constantFrom(...STAGES.slice(1)).map((s): Mutation => ({
    name: 'due before the previous cut-off',
    field: `calendar.stages.${s}.dueAt`,
    apply: (c) => {
      const previous = c.stages[STAGES[STAGES.indexOf(s) - 1]];
      c.stages[s].dueAt = rfc3339(ms(previous.cutoffAt) - MINUTE_MS);
    },
  })),
  fc.constantFrom(0, -1, 2160.25, NaN, Infinity).map((h): Mutation => ({
    name: `offset ${h}`,
    field: 'calendar.reminderOffsetsHours',
    apply: (c) => c.reminderOffsetsHours.push(h),
  })),
  fc.constant<Mutation>({
    name: 'offset twice',
    field: 'calendar.reminderOffsetsHours',
    apply: (c) =>
      c.reminderOffsetsHours.push(c.reminderOffsetsHours[0] ?? 24, c.reminderOffsetsHours[0] ?? 24),
  }),
  fc.constant<Mutation>({
    name: 'eleven offsets',
    field: 'calendar.reminderOffsetsHours',
    apply: (c) => (c.reminderOffsetsHours = Array.from({ length: 11 }, (_, i) => i + 1)),
  }),
  fc.constantFrom(0, -3, 2161, NaN, '24').map((h): Mutation => ({
    name: `window ${h}`,
    field: 'calendar.revisionWindowHours',
    apply: (c) => (c.revisionWindowHours = h),
  })),
  fc.constantFrom(0.5, 0, 2161).map((h): Mutation => ({
    name: `cadence ${h}`,
    field: 'calendar.escalationCadenceHours',
    apply: (c) => (c.escalationCadenceHours = h),
  })),
  fc.constantFrom(-1, 11, 1.5).map((n): Mutation => ({
    name: `revisions ${n}`,
    field: 'calendar.maxRevisions',
    apply: (c) => (c.maxRevisions = n),
  })),
  fc.constantFrom(0, 721).map((h): Mutation => ({
    name: `review window ${h}`,
    field: 'calendar.resubmissionReviewHours',
    apply: (c) => (c.resubmissionReviewHours = h),
  })),
  fc.constant<Mutation>({
    name: 'unknown key',
    field: 'calendar.reminderOffsetHours',
    apply: (c) => (c.reminderOffsetHours = [24]),
  }),
);

describe('calendar validation, as properties', () => {
  it('accepts every calendar that keeps docs/design.md §5 and CALENDAR_LIMITS', () => {
    fc.assert(
      fc.property(validCalendar, (cal) => expect(calendarProblems(cal)).toEqual([])),
      { numRuns: 300 },
    );
  });

  it('refuses a broken calendar and names the broken field', () => {
    fc.assert(
      fc.property(validCalendar, mutation, (cal, m) => {
        const c = structuredClone(cal) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
        m.apply(c);
        expect(calendarProblems(c).map((p) => p.field)).toContain(m.field);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses a calendar whose escalations would outnumber the limit', () => {
    fc.assert(
      fc.property(
        validCalendar,
        fc.constantFrom(...STAGES),
        hours(48).filter((h) => h >= 1),
        (cal, s, cadence) => {
          const c = structuredClone(cal);
          c.escalationCadenceHours = cadence;
          const due = ms(c.stages[s].dueAt);
          // Push this stage's cut-off (and every later stage, to stay in order) past 200 escalations.
          const shift =
            Math.ceil((200 * cadence * HOUR_MS + MINUTE_MS - (ms(c.stages[s].cutoffAt) - due)) / MINUTE_MS) *
            MINUTE_MS;
          for (const later of STAGES.slice(STAGES.indexOf(s))) {
            const d = c.stages[later];
            c.stages[later] = {
              dueAt: later === s ? d.dueAt : rfc3339(ms(d.dueAt) + shift),
              cutoffAt: rfc3339(ms(d.cutoffAt) + shift),
            };
          }
          expect(calendarProblems(c).map((p) => p.field)).toEqual(['calendar.escalationCadenceHours']);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** Every campaign event fired up to `until`, from `progress`, as the campaign workflow fires them. */
function campaignRun(
  cal: Calendar,
  startedAt: number,
  progress: CampaignProgress = {},
  until = Infinity,
  floor?: number,
): { events: CampaignEvent[]; progress: CampaignProgress } {
  const events: CampaignEvent[] = [];
  for (let e = nextCampaignEvent(cal, progress, startedAt, floor); e && e.at <= until;) {
    events.push(e);
    progress = advanceCampaignProgress(progress, cal, e);
    e = nextCampaignEvent(cal, progress, startedAt, floor);
  }
  return { events, progress };
}

/** The campaign's order: reminders only at unit stages, before their cut-off; each stage closed once. */
function expectCampaignOrdered(events: CampaignEvent[], cal: Calendar, startedAt: number): void {
  const wrong: string[] = [];
  events.forEach((e, i) => {
    const cutoff = ms(cal.stages[e.stage].cutoffAt);
    if (i > 0 && e.at < events[i - 1].at) wrong.push(`earlier than the event before: ${JSON.stringify(e)}`);
    if (e.kind === 'stage_reminder') {
      if (!isUnitStage(e.stage)) wrong.push(`reminder at a provincial stage: ${JSON.stringify(e)}`);
      if (!(e.at === cutoff - e.offsetHours * HOUR_MS && e.at < cutoff && e.at >= startedAt))
        wrong.push(`reminder off its cut-off or before the start: ${JSON.stringify(e)}`);
    } else if (e.at !== cutoff) wrong.push(`closed off its cut-off: ${JSON.stringify(e)}`);
  });
  const keys = events.map((e) => (e.kind === 'stage_closed' ? e.stage : `${e.stage}/${e.offsetHours}`));
  if (new Set(keys).size !== keys.length) wrong.push(`an event twice: ${keys.join(' ')}`);
  expect(wrong).toEqual([]);
}

const DAY = 24 * HOUR_MS;
const started = validCalendar.chain((cal) =>
  fc.record({
    cal: fc.constant(cal),
    startedAt: fc
      .integer({ min: -20 * DAY, max: 60 * DAY })
      .map((x) => ms(cal.stages.district_registration.dueAt) + x),
  }),
);

describe('the campaign schedule, as properties', () => {
  it('reminds units before each unit stage’s cut-off and closes every stage once, in time order', () => {
    fc.assert(
      fc.property(started, ({ cal, startedAt }) => {
        const { events, progress } = campaignRun(cal, startedAt);
        expectCampaignOrdered(events, cal, startedAt);
        // Stages sharing a cut-off close at the same moment, in no promised order among themselves.
        expect(
          events
            .filter((e) => e.kind === 'stage_closed')
            .map((e) => e.stage)
            .sort(),
        ).toEqual([...STAGES].sort());
        expect(closedStages(progress)).toEqual(STAGES);
        expect(nextCampaignEvent(cal, progress, startedAt)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  /** A move of the open stages by one shift (and sometimes of a closed one), made at `now`. */
  const move = started.chain(({ cal, startedAt }) =>
    fc.record({
      cal: fc.constant(cal),
      startedAt: fc.constant(startedAt),
      now: fc
        .integer({ min: 0, max: Math.max(0, ms(cal.stages.recognition.cutoffAt) - startedAt) + DAY })
        .map((x) => startedAt + x),
      shiftMinutes: fc.integer({ min: -30 * 24 * 60, max: 30 * 24 * 60 }),
      dueOnly: fc.boolean(),
      touchClosed: fc.boolean(),
      resubmittedBeforeNowMs: fc.option(fc.nat(40 * DAY), { nil: undefined }),
    }),
  );

  it('accepts exactly the moves that keep closed stages and put open cut-offs ahead; those keep the order', () => {
    fc.assert(
      fc.property(
        move,
        ({ cal, startedAt, now, shiftMinutes, dueOnly, touchClosed, resubmittedBeforeNowMs }) => {
          const before = campaignRun(cal, startedAt, {}, now);
          const closed = closedStages(before.progress);
          const next = structuredClone(cal);
          const shift = (t: string) => rfc3339(ms(t) + shiftMinutes * MINUTE_MS);
          for (const s of STAGES) {
            const moves = closed.includes(s) ? touchClosed && s === closed[closed.length - 1] : true;
            if (!moves) continue;
            next.stages[s] = {
              dueAt: shift(cal.stages[s].dueAt),
              cutoffAt: dueOnly ? cal.stages[s].cutoffAt : shift(cal.stages[s].cutoffAt),
            };
          }
          fc.pre(calendarProblems(next).length === 0);
          // Instants, not spellings: `+07:00` and `Z` of the same moment are no change.
          const changed = (s: (typeof STAGES)[number]) =>
            ms(next.stages[s].dueAt) !== ms(cal.stages[s].dueAt) ||
            ms(next.stages[s].cutoffAt) !== ms(cal.stages[s].cutoffAt);
          const acceptable = STAGES.every((s) =>
            closed.includes(s)
              ? !changed(s)
              : ms(next.stages[s].cutoffAt) === ms(cal.stages[s].cutoffAt) ||
                ms(next.stages[s].cutoffAt) > now,
          );
          const problems = calendarChangeProblems(cal, next, before.progress, now);
          expect(problems.length === 0).toBe(acceptable);
          if (!acceptable) return;
          const after = campaignRun(next, startedAt, before.progress);
          expectCampaignOrdered(after.events, next, startedAt);
          // Since campaign-reminder-floor: the same, but no reminder already past when the change was applied.
          const floored = campaignRun(next, startedAt, before.progress, Infinity, now);
          expectCampaignOrdered(floored.events, next, Math.max(startedAt, now));
          expect(floored.events.filter((e) => e.kind === 'stage_closed')).toEqual(
            after.events.filter((e) => e.kind === 'stage_closed'),
          );
          // Each stage closed exactly once over the whole round, the open ones after the move.
          const closedAfter = after.events.filter((e) => e.kind === 'stage_closed');
          expect([...closed, ...closedAfter.map((e) => e.stage)].sort()).toEqual([...STAGES].sort());
          for (const e of closedAfter) expect(e.at).toBeGreaterThan(now);
          // An open review task takes its stage's new dates (workflows/ applyCalendarChange), a resubmitted
          // model's never inside its review window: in order, and not cut off in the past.
          const windowEnd =
            resubmittedBeforeNowMs === undefined
              ? undefined
              : resubmissionWindowEnd(now - resubmittedBeforeNowMs, next);
          for (const st of STAGES.filter((x) => !closed.includes(x))) {
            const d = windowEnd ? resubmissionReviewDeadline(next.stages[st], windowEnd) : next.stages[st];
            expect(ms(d.cutoffAt)).toBeGreaterThan(now);
            expect(ms(d.cutoffAt)).toBeGreaterThanOrEqual(ms(d.dueAt));
            if (windowEnd) expect(ms(d.dueAt)).toBeGreaterThanOrEqual(ms(windowEnd));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps registration open from its opening until the registration due date, and only then', () => {
    fc.assert(
      fc.property(validCalendar, instant, instant, (cal, opensAt, now) => {
        const due = ms(cal.stages.district_registration.dueAt);
        const problem = registrationProblem({ registrationOpensAt: new Date(opensAt), calendar: cal }, now);
        expect(problem === undefined).toBe(opensAt <= now && now < due);
        if (now < opensAt) expect(problem).toMatch(/^registration opens at/);
      }),
      { numRuns: 200 },
    );
  });
});
