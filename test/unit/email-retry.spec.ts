import { retryDelayMs } from '../../src/notifications/email-sender';

describe('email retry backoff', () => {
  const config = { retryMinMs: 10_000, retryMaxMs: 600_000 };

  it('waits 10 s after the first failed attempt and doubles after each further one, capped at 10 min', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempts) => retryDelayMs(attempts, config))).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000,
    ]);
  });

  it('stays at the cap however many attempts failed', () => {
    expect(retryDelayMs(10_000, config)).toBe(600_000);
    expect(retryDelayMs(0, config)).toBe(10_000);
  });
});
