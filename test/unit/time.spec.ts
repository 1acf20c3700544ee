import { daysInMonth, parseTime, timeMs } from '../../src/domain/time';

describe('parseTime: RFC 3339 with an offset, real dates only', () => {
  it.each([
    ['2026-10-15T17:00:00+07:00', Date.UTC(2026, 9, 15, 10)],
    ['2026-10-15T10:00:00Z', Date.UTC(2026, 9, 15, 10)],
    ['2026-10-15T10:00:00.5Z', Date.UTC(2026, 9, 15, 10, 0, 0, 500)],
    ['2026-10-15T10:00:00.123456789Z', Date.UTC(2026, 9, 15, 10, 0, 0, 123)],
    ['2026-10-15T10:00:00+14:00', Date.UTC(2026, 9, 14, 20)],
    ['2026-10-15T10:00:00-14:00', Date.UTC(2026, 9, 16, 0)],
    ['2028-02-29T00:00:00Z', Date.UTC(2028, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
  ])('accepts %s', (text, ms) => {
    expect(parseTime(text)).toEqual({ ok: true, ms });
    // The same instant Date.parse gives for every form accepted: the workflow may keep using it.
    expect(Date.parse(text)).toBe(ms);
  });

  it.each([
    ['2026-02-30T00:00:00Z', 'is not a real date: 2026-02 has no day 30'],
    ['2026-02-29T00:00:00Z', 'is not a real date: 2026-02 has no day 29'],
    ['1900-02-29T00:00:00Z', 'is not a real date: 1900-02 has no day 29'],
    ['2026-04-31T00:00:00Z', 'is not a real date: 2026-04 has no day 31'],
    ['2026-13-01T00:00:00Z', 'has no month 13'],
    ['2026-00-01T00:00:00Z', 'has no month 00'],
    ['2026-10-15T24:00:00Z', 'must have a time from 00:00:00 to 23:59:59'],
    ['2026-10-15T23:59:60Z', 'must have a time from 00:00:00 to 23:59:59'],
    ['2026-10-15T10:00:00+20:00', 'must have an offset within ±14:00'],
    ['2026-10-15T10:00:00+14:01', 'must have an offset within ±14:00'],
    ['2026-10-15T10:00:00+05:60', 'must have an offset whose minutes are 00–59'],
    ['1899-12-31T00:00:00Z', 'must have a year from 1900 to 9999'],
    ['9999-12-31T23:00:00-14:00', 'must be before the year 10000 in UTC'],
  ])('refuses %s: %s', (text, reason) => {
    expect(parseTime(text)).toEqual({ ok: false, reason });
  });

  it.each([
    '2026-W05-1',
    '2026-W05-1T00:00:00Z',
    '2026-032T00:00:00Z',
    '2026-10-15',
    '2026-10-15T10:00:00',
    '2026-10-15T10:00Z',
    '2026-10-15t10:00:00z',
    '2026-10-15 10:00:00Z',
    '20261015T100000Z',
    '+002026-10-15T10:00:00Z',
    '2026-10-15T10:00:00.Z',
    '2026-10-15T10:00:00.1234567890Z',
    '2026-10-15T10:00:00+0700',
    ' 2026-10-15T10:00:00Z',
    '2026-10-15T10:00:00Z\n',
    '١٢٣٤-10-15T10:00:00Z',
    '',
  ])('refuses the form %j', (text) => {
    const r = parseTime(text);
    expect(r.ok).toBe(false);
  });

  it('refuses what is not a string', () => {
    for (const v of [undefined, null, 1792058400000, {}, ['2026-10-15T10:00:00Z']]) {
      expect(parseTime(v)).toEqual({
        ok: false,
        reason: 'must be a date-time string such as 2026-10-15T17:00:00+07:00',
      });
      expect(timeMs(v)).toBeUndefined();
    }
  });

  it('knows the days of each month', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2026, m))).toEqual([
      31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2100, 2)).toBe(28);
  });
});
