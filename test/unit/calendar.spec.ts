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
function timeline(openedAt: number, d = deadline) {
  const events = [];
  let progress = freshProgress(d.dueAt);
  for (;;) {
    const e = nextDeadlineEvent(d, cal, progress, openedAt);
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
      { field: 'calendar.stages.provincial_proposal.dueAt', reason: 'must be an ISO-8601 date-time' },
      {
        field: 'calendar.stages.provincial_review.dueAt',
        reason: 'must not be before the previous stage’s cut-off',
      },
      { field: 'calendar.stages.recognition', reason: 'is required' },
      {
        field: 'calendar.reminderOffsetsHours',
        reason: 'must be a list of hours, each above 0 and at most 2160',
      },
      { field: 'calendar.revisionWindowHours', reason: 'must be a number of hours above 0' },
      { field: 'calendar.maxRevisions', reason: 'must be a whole number, 0 or more' },
    ]);
    expect(calendarProblems(null)).toEqual([{ field: 'calendar', reason: 'must be an object' }]);
  });
});
