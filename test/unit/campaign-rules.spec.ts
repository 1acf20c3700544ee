import {
  advanceCampaignProgress,
  calendarChangeProblems,
  type CampaignProgress,
  nextCampaignEvent,
  quotaProblems,
  quotaRefusal,
  registrationProblem,
} from '../../src/domain/campaign';
import { type Calendar, HOUR_MS } from '../../src/domain/calendar';
import { STAGES } from '../../src/domain/nomination';

const DAY = 24 * HOUR_MS;
const T0 = Date.parse('2026-09-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** Stage i due T0 + (i+1)·10 days, cut off 5 days later. */
function calendar(): Calendar {
  const stages = {} as Calendar['stages'];
  STAGES.forEach((s, i) => {
    const due = T0 + (i + 1) * 10 * DAY;
    stages[s] = { dueAt: iso(due), cutoffAt: iso(due + 5 * DAY) };
  });
  return { stages, reminderOffsetsHours: [72, 24], revisionWindowHours: 168 };
}

/** Every event the campaign workflow would fire with nobody changing anything, in order. */
function run(cal: Calendar, startedAt = T0) {
  let progress: CampaignProgress = {};
  const events = [];
  for (
    let e = nextCampaignEvent(cal, progress, startedAt);
    e;
    e = nextCampaignEvent(cal, progress, startedAt)
  ) {
    events.push(e);
    progress = advanceCampaignProgress(progress, cal, e);
  }
  return events;
}

describe('campaign schedule', () => {
  it('reminds 72 and 24 hours before each unit stage’s cut-off and closes every stage, in time order', () => {
    const cal = calendar();
    const cutoff = (i: number) => Date.parse(cal.stages[STAGES[i]].cutoffAt);
    expect(run(cal)).toEqual([
      ...[0, 1, 2].flatMap((i) => [
        { kind: 'stage_reminder', stage: STAGES[i], offsetHours: 72, at: cutoff(i) - 72 * HOUR_MS },
        { kind: 'stage_reminder', stage: STAGES[i], offsetHours: 24, at: cutoff(i) - 24 * HOUR_MS },
        { kind: 'stage_closed', stage: STAGES[i], at: cutoff(i) },
      ]),
      // The provincial stages are the province's own work: closed, never a reminder to the units.
      { kind: 'stage_closed', stage: 'provincial_review', at: cutoff(3) },
      { kind: 'stage_closed', stage: 'recognition', at: cutoff(4) },
    ]);
  });

  it('skips reminders whose time passed before the workflow started, but still closes the stage', () => {
    const cal = calendar();
    const cutoff = Date.parse(cal.stages.district_registration.cutoffAt);
    const events = run(cal, cutoff - 30 * HOUR_MS).filter((e) => e.stage === 'district_registration');
    expect(events.map((e) => [e.kind, 'offsetHours' in e ? e.offsetHours : null])).toEqual([
      ['stage_reminder', 24],
      ['stage_closed', null],
    ]);
  });

  it('tracks a moved cut-off afresh, and keeps a closed stage closed', () => {
    const cal = calendar();
    let progress: CampaignProgress = {};
    const first = nextCampaignEvent(cal, progress, T0)!;
    progress = advanceCampaignProgress(progress, cal, first);
    expect(progress.district_registration?.remindersSent).toEqual([72]);

    const moved = structuredClone(cal);
    moved.stages.district_registration.cutoffAt = iso(
      Date.parse(cal.stages.district_registration.cutoffAt) + 2 * DAY,
    );
    expect(nextCampaignEvent(moved, progress, T0)).toMatchObject({
      kind: 'stage_reminder',
      offsetHours: 72,
      at: Date.parse(moved.stages.district_registration.cutoffAt) - 72 * HOUR_MS,
    });

    const closed: CampaignProgress = {
      district_registration: {
        cutoffAt: cal.stages.district_registration.cutoffAt,
        remindersSent: [],
        closed: true,
      },
    };
    expect(nextCampaignEvent(moved, closed, T0)).toMatchObject({ stage: 'district_review' });
  });

  it('with a floor, skips the reminders already past when the calendar moved, and only those', () => {
    const cal = calendar();
    const moved = structuredClone(cal);
    const changedAt = T0 + 2 * DAY;
    // Registration's cut-off moved to 30 hours after the change: its 24-hour reminder, not the 72-hour one.
    moved.stages.district_registration.cutoffAt = iso(changedAt + 30 * HOUR_MS);
    moved.stages.district_registration.dueAt = iso(changedAt + 30 * HOUR_MS);
    expect(nextCampaignEvent(moved, {}, T0, changedAt)).toEqual({
      kind: 'stage_reminder',
      stage: 'district_registration',
      offsetHours: 24,
      at: changedAt + 6 * HOUR_MS,
    });
    // Without the floor (workflows before campaign-reminder-floor): the 72-hour one, already late.
    expect(nextCampaignEvent(moved, {}, T0)).toMatchObject({ offsetHours: 72, at: changedAt - 42 * HOUR_MS });
    // A stage whose reminders are still ahead keeps them all.
    const p = {
      district_registration: {
        cutoffAt: moved.stages.district_registration.cutoffAt,
        remindersSent: [24],
        closed: true,
      },
    };
    expect(nextCampaignEvent(moved, p, T0, changedAt)).toMatchObject({
      stage: 'district_review',
      offsetHours: 72,
    });
  });

  it('ends once every stage is closed', () => {
    const cal = calendar();
    const progress = Object.fromEntries(
      STAGES.map((s) => [s, { cutoffAt: cal.stages[s].cutoffAt, remindersSent: [], closed: true }]),
    );
    expect(nextCampaignEvent(cal, progress, T0)).toBeUndefined();
  });
});

describe('calendar changes', () => {
  const cal = calendar();
  const closedRegistration: CampaignProgress = {
    district_registration: {
      cutoffAt: cal.stages.district_registration.cutoffAt,
      remindersSent: [72, 24],
      closed: true,
    },
  };

  it('refuses moving a closed stage and putting an open stage’s cut-off in the past', () => {
    const next = structuredClone(cal);
    next.stages.district_registration.dueAt = iso(Date.parse(cal.stages.district_registration.dueAt) + DAY);
    next.stages.district_review.cutoffAt = iso(T0 + 20 * DAY);
    expect(calendarChangeProblems(cal, next, closedRegistration, T0 + 21 * DAY)).toEqual([
      {
        field: 'calendar.stages.district_registration',
        reason: `closed at ${cal.stages.district_registration.cutoffAt}; its dates can no longer change`,
      },
      {
        field: 'calendar.stages.district_review.cutoffAt',
        reason: 'must be in the future for a stage still open',
      },
    ]);
  });

  it('accepts the same dates for closed stages and future cut-offs for open ones', () => {
    const next = structuredClone(cal);
    next.stages.recognition.cutoffAt = iso(Date.parse(cal.stages.recognition.cutoffAt) + 10 * DAY);
    expect(calendarChangeProblems(cal, next, closedRegistration, T0 + 16 * DAY)).toEqual([]);
  });
});

describe('quotas', () => {
  it('names each bad quota field', () => {
    expect(quotaProblems(undefined)).toEqual([]);
    expect(quotaProblems({ perUnit: 3, perField: { economic: 1 } })).toEqual([]);
    expect(quotaProblems([])).toEqual([{ field: 'quotas', reason: 'must be an object' }]);
    expect(quotaProblems({ perUnit: 1.5, perField: { economic: -1, sports: 2 }, total: 4 })).toEqual([
      { field: 'quotas.total', reason: 'is not a quota' },
      { field: 'quotas.perUnit', reason: 'must be a whole number from 0' },
      { field: 'quotas.perField.economic', reason: 'must be a whole number from 0' },
      { field: 'quotas.perField.sports', reason: expect.stringContaining('is not a field') },
    ]);
  });

  it('refuses the proposal that would exceed a cap, overall first, then in its field', () => {
    const count = { unitName: 'Huyện Đức Linh', field: 'economic' as const, proposed: 2, proposedInField: 1 };
    expect(quotaRefusal({}, count)).toBeUndefined();
    expect(quotaRefusal({ perUnit: 3 }, count)).toBeUndefined();
    expect(quotaRefusal({ perUnit: 2, perField: { economic: 1 } }, count)).toBe(
      'Huyện Đức Linh has proposed 2 of its quota of 2 models',
    );
    expect(quotaRefusal({ perField: { economic: 1, culture_society: 0 } }, count)).toBe(
      'Huyện Đức Linh has proposed 1 of its quota of 1 models in field economic',
    );
  });
});

describe('registration window', () => {
  const campaign = { registrationOpensAt: iso(T0), calendar: calendar() };
  const due = Date.parse(campaign.calendar.stages.district_registration.dueAt);

  it('is open from the opening until the registration due date', () => {
    expect(registrationProblem(campaign, T0 - 1)).toBe(`registration opens at ${iso(T0)}`);
    expect(registrationProblem(campaign, T0)).toBeUndefined();
    expect(registrationProblem(campaign, due - 1)).toBeUndefined();
    expect(registrationProblem(campaign, due)).toBe(`registration closed at ${iso(due)}`);
  });
});
