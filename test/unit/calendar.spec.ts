import {
  advanceProgress,
  type Calendar,
  calendarProblems,
  cutoffOutcome,
  freshProgress,
  HOUR_MS,
  nextDeadlineEvent,
  revisionDeadline,
} from '../../src/domain/calendar';
import { STAGES } from '../../src/domain/nomination';

const T = Date.parse('2026-10-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const due = T + 10 * 24 * HOUR_MS;
const deadline = { dueAt: iso(due), cutoffAt: iso(due + 5 * 24 * HOUR_MS) };
const cal = { reminderOffsetsHours: [72, 24], escalationCadenceHours: 24 };

/** Every event a task nobody acts on goes through, from `openedAt` to its cut-off. */
function timeline(openedAt: number, d = deadline, floor?: number) {
  const events = [];
  let progress = freshProgress(d.dueAt);
  for (;;) {
    const e = nextDeadlineEvent(d, cal, progress, openedAt, floor);
    events.push([e.kind, (e.at - due) / HOUR_MS]);
    if (e.kind === 'cutoff') return events;
    progress = advanceProgress(progress, d.dueAt, e);
  }
}

describe('deadline arithmetic', () => {
  it('reminds, marks overdue, escalates on the cadence and stops at the cut-off', () => {
    expect(timeline(T)).toEqual([
      ['reminder', -72],
      ['reminder', -24],
      ['overdue', 0],
      ['escalation', 24],
      ['escalation', 48],
      ['escalation', 72],
      ['escalation', 96],
      ['cutoff', 120],
    ]);
  });

  it('skips reminders whose time passed before the task opened', () => {
    expect(timeline(due - 48 * HOUR_MS).slice(0, 2)).toEqual([
      ['reminder', -24],
      ['overdue', 0],
    ]);
  });

  it('starts afresh when the due date moves', () => {
    const sent = advanceProgress(freshProgress(deadline.dueAt), deadline.dueAt, {
      kind: 'reminder',
      at: due - 72 * HOUR_MS,
      offsetHours: 72,
    });
    const later = { dueAt: iso(due + 24 * HOUR_MS), cutoffAt: deadline.cutoffAt };
    expect(nextDeadlineEvent(later, cal, sent, T)).toEqual({
      kind: 'reminder',
      at: due - 48 * HOUR_MS,
      offsetHours: 72,
    });
  });

  it('without a floor, a task opened late gets every escalation since its due date at once (the old rule)', () => {
    const opened = due + 72 * HOUR_MS;
    expect(timeline(opened).filter(([, at]) => (at as number) <= 72)).toEqual([
      ['overdue', 0],
      ['escalation', 24],
      ['escalation', 48],
      ['escalation', 72],
    ]);
  });

  it('with a floor, a task opened late is overdue once, then escalated on the cadence from its opening', () => {
    const opened = due + 70 * HOUR_MS;
    expect(timeline(opened, deadline, opened)).toEqual([
      ['overdue', 0],
      ['escalation', 94],
      ['escalation', 118],
      ['cutoff', 120],
    ]);
  });

  it('with a floor, skips reminders already past when the task was re-dated, and escalates from the due date', () => {
    // Re-dated 30 hours before its due date: the 24-hour reminder, not a late 72-hour one.
    const redated = due - 30 * HOUR_MS;
    expect(timeline(T, deadline, redated)).toEqual([
      ['reminder', -24],
      ['overdue', 0],
      ['escalation', 24],
      ['escalation', 48],
      ['escalation', 72],
      ['escalation', 96],
      ['cutoff', 120],
    ]);
  });

  it('gives a revision one deadline that is both due date and cut-off', () => {
    const d = revisionDeadline(T, { revisionWindowHours: 168 });
    expect(d).toEqual({ dueAt: iso(T + 168 * HOUR_MS), cutoffAt: iso(T + 168 * HOUR_MS) });
    const events = [];
    let p = freshProgress(d.dueAt);
    for (;;) {
      const e = nextDeadlineEvent(d, cal, p, T);
      events.push(e.kind);
      if (e.kind === 'cutoff') break;
      p = advanceProgress(p, d.dueAt, e);
    }
    expect(events).toEqual(['reminder', 'reminder', 'cutoff']);
  });

  it('closes a stage at its cut-off without its decision', () => {
    expect(STAGES.map(cutoffOutcome)).toEqual([
      'expired',
      'expired',
      'recognized_district',
      'expired',
      'expired',
    ]);
  });
});

describe('calendar validation', () => {
  const valid = (): Calendar => {
    const stages = {} as Calendar['stages'];
    STAGES.forEach(
      (s, i) =>
        (stages[s] = {
          dueAt: iso(T + i * 20 * 24 * HOUR_MS),
          cutoffAt: iso(T + (i * 20 + 5) * 24 * HOUR_MS),
        }),
    );
    return { stages, reminderOffsetsHours: [72, 24], revisionWindowHours: 168 };
  };

  it('accepts a calendar in order', () => {
    expect(calendarProblems(valid())).toEqual([]);
  });

  it('names every field that is wrong, and why', () => {
    const c = valid() as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    c.stages.district_review.cutoffAt = iso(Date.parse(c.stages.district_review.dueAt) - 1);
    c.stages.provincial_proposal.dueAt = '15/10/2026';
    c.stages.provincial_review.dueAt = iso(T); // before the previous stage's cut-off
    delete c.stages.recognition;
    c.reminderOffsetsHours = [72, -1];
    c.revisionWindowHours = 0;
    c.maxRevisions = 1.5;
    expect(calendarProblems(c)).toEqual([
      { field: 'calendar.stages.district_review.cutoffAt', reason: 'must not be before dueAt' },
      {
        field: 'calendar.stages.provincial_proposal.dueAt',
        reason: 'must be an RFC 3339 date-time with an offset',
      },
      {
        field: 'calendar.stages.provincial_review.dueAt',
        reason: 'must not be before the previous stage’s cut-off',
      },
      { field: 'calendar.stages.recognition', reason: 'is required' },
      {
        field: 'calendar.reminderOffsetsHours',
        reason: 'must be a list of at most 10 different hours, each above 0 and at most 2160',
      },
      { field: 'calendar.revisionWindowHours', reason: 'must be a number of hours above 0 and at most 2160' },
      { field: 'calendar.maxRevisions', reason: 'must be a whole number from 0 to 10' },
    ]);
    expect(calendarProblems(null)).toEqual([{ field: 'calendar', reason: 'must be an object' }]);
  });

  it('bounds its amplifiers: reminders, escalations, revisions, the revision window', () => {
    const problems = (change: Record<string, unknown>) =>
      calendarProblems({ ...valid(), ...change }).map((p) => p.field);
    expect(problems({ reminderOffsetsHours: Array.from({ length: 11 }, (_, i) => i + 1) })).toEqual([
      'calendar.reminderOffsetsHours',
    ]);
    expect(problems({ reminderOffsetsHours: [24, 24] })).toEqual(['calendar.reminderOffsetsHours']);
    expect(problems({ reminderOffsetsHours: Array.from({ length: 10 }, (_, i) => i + 1) })).toEqual([]);
    expect(problems({ escalationCadenceHours: 0.5 })).toEqual(['calendar.escalationCadenceHours']);
    expect(problems({ escalationCadenceHours: 1 })).toEqual([]);
    expect(problems({ maxRevisions: 11 })).toEqual(['calendar.maxRevisions']);
    expect(problems({ maxRevisions: 10 })).toEqual([]);
    // A window this large used to throw inside the workflow (new Date(...).toISOString()).
    expect(problems({ revisionWindowHours: 1e12 })).toEqual(['calendar.revisionWindowHours']);
    expect(problems({ revisionWindowHours: 2160 })).toEqual([]);
    expect(problems({ revisionWindowHours: 0.25 })).toEqual([]);
    expect(problems({ extra: 1 })).toEqual(['calendar.extra']);
    const c = valid();
    c.stages.recognition.cutoffAt = iso(Date.parse(c.stages.recognition.dueAt) + 300 * 24 * 3_600_000);
    expect(calendarProblems({ ...c, escalationCadenceHours: 24 })).toEqual([
      {
        field: 'calendar.escalationCadenceHours',
        reason:
          "must be at least 36 hours: recognition's cut-off is 7200 hours after its due date, and an overdue task is escalated at most 200 times",
      },
    ]);
    expect(calendarProblems({ ...c, escalationCadenceHours: 36 })).toEqual([]);
  });
});
