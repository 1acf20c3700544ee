import {
  calendarProblems,
  type Calendar,
  resubmissionReviewDeadline,
  resubmissionWindowEnd,
} from '../../src/domain/calendar';
import { STAGES } from '../../src/domain/nomination';

const T = Date.parse('2026-10-14T10:00:00.000Z');

describe('resubmission review window', () => {
  it('ends resubmissionReviewHours after the resubmission, 72 by default', () => {
    expect(resubmissionWindowEnd(T, {})).toBe('2026-10-17T10:00:00.000Z');
    expect(resubmissionWindowEnd(T, { resubmissionReviewHours: 24 })).toBe('2026-10-15T10:00:00.000Z');
  });

  it('takes the later of each stage date and the window’s end', () => {
    const end = '2026-10-17T10:00:00.000Z';
    expect(
      resubmissionReviewDeadline(
        { dueAt: '2026-10-15T10:00:00.000Z', cutoffAt: '2026-10-16T10:00:00.000Z' },
        end,
      ),
    ).toEqual({ dueAt: end, cutoffAt: end });
    expect(
      resubmissionReviewDeadline(
        { dueAt: '2026-10-15T10:00:00.000Z', cutoffAt: '2026-10-20T10:00:00+07:00' },
        end,
      ),
    ).toEqual({ dueAt: end, cutoffAt: '2026-10-20T10:00:00+07:00' });
    const later = { dueAt: '2026-10-25T10:00:00.000Z', cutoffAt: '2026-10-30T10:00:00.000Z' };
    expect(resubmissionReviewDeadline(later, end)).toEqual(later);
  });

  it('bounds resubmissionReviewHours in a calendar', () => {
    const stages = {} as Calendar['stages'];
    STAGES.forEach((s, i) => {
      const at = new Date(T + i * 864e5).toISOString();
      stages[s] = { dueAt: at, cutoffAt: at };
    });
    const calendar = (resubmissionReviewHours?: number): Calendar => ({
      stages,
      reminderOffsetsHours: [72, 24],
      revisionWindowHours: 168,
      resubmissionReviewHours,
    });
    expect(calendarProblems(calendar())).toEqual([]);
    expect(calendarProblems(calendar(720))).toEqual([]);
    for (const bad of [0, -1, 721, Number.NaN]) {
      expect(calendarProblems(calendar(bad))).toEqual([
        {
          field: 'calendar.resubmissionReviewHours',
          reason: 'must be a number of hours above 0 and at most 720',
        },
      ]);
    }
  });
});
