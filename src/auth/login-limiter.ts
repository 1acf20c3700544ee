import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Response } from 'express';
import { catchError, type Observable, throwError } from 'rxjs';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

/** 429 with the seconds until the window that refused the attempt ends (sent as `Retry-After`). */
export class TooManySignInAttempts extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      {
        message: `too many sign-in attempts; try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/** Puts `Retry-After` on the response when a handler refuses a sign-in attempt as too many. */
@Injectable()
export class RetryAfterInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((err: unknown) => {
        if (err instanceof TooManySignInAttempts) {
          ctx.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(err.retryAfterSeconds));
        }
        return throwError(() => err);
      }),
    );
  }
}

/** Beyond this many keys the expired ones are swept; beyond the hard cap the oldest are forgotten. */
const SWEEP_AT = 10_000;
const MAX_KEYS = 100_000;

interface Window {
  count: number;
  /** When this window ends (ms since the epoch). */
  endsAt: number;
}

/** Counts per key in fixed windows that start at a key's first hit. */
class FixedWindowCounter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly windowMs: number) {}

  /** The open window of `key`, if any. */
  current(key: string, now: number): Window | undefined {
    const w = this.windows.get(key);
    if (w && w.endsAt <= now) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  hit(key: string, now: number): void {
    const w = this.current(key, now);
    if (w) {
      w.count++;
      return;
    }
    if (this.windows.size >= SWEEP_AT) this.sweep(now);
    this.windows.set(key, { count: 1, endsAt: now + this.windowMs });
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (w.endsAt <= now) this.windows.delete(key);
    // Maps iterate in insertion order: the oldest windows go first.
    for (const key of this.windows.keys()) {
      if (this.windows.size < MAX_KEYS) break;
      this.windows.delete(key);
    }
  }
}

/**
 * Sign-in throttling in memory, in fixed windows of `LOGIN_WINDOW_SECONDS`: at most `LOGIN_MAX_FAILURES`
 * failed sign-ins per username and `LOGIN_MAX_ATTEMPTS_PER_ADDRESS` attempts per client address.
 *
 * Each API process counts for itself (nothing is shared between processes or kept over a restart), so
 * with N API processes behind a load balancer an attacker gets up to N times the limits. The address is
 * the TCP peer (`req.ip`; Express's `trust proxy` is off): behind a reverse proxy every client shares the
 * proxy's address and therefore one per-address budget.
 *
 * An attempt is counted as a failure for its username when it is admitted, before the password is
 * checked, and the count is cleared when it succeeds: parallel guesses cannot outrun the limit. Unknown
 * and known usernames are counted alike, so the answers reveal nothing about which exist.
 */
@Injectable()
export class LoginLimiter {
  private readonly failures: FixedWindowCounter;
  private readonly attempts: FixedWindowCounter;
  private readonly maxFailures: number;
  private readonly maxAttemptsPerAddress: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.failures = new FixedWindowCounter(config.login.windowSeconds * 1000);
    this.attempts = new FixedWindowCounter(config.login.windowSeconds * 1000);
    this.maxFailures = config.login.maxFailures;
    this.maxAttemptsPerAddress = config.login.maxAttemptsPerAddress;
  }

  /**
   * Admits one sign-in attempt (counting it for the address, and as a failure for the username until
   * `succeeded`), or throws `TooManySignInAttempts` when the username or the address is over its limit.
   */
  admit(username: string, address: string | undefined, now = Date.now()): void {
    const user = usernameKey(username);
    const addr = addressKey(address);
    const refusals = [
      this.over(this.failures.current(user, now), this.maxFailures),
      this.over(this.attempts.current(addr, now), this.maxAttemptsPerAddress),
    ].filter((w): w is Window => w !== undefined);
    if (refusals.length) {
      const endsAt = Math.max(...refusals.map((w) => w.endsAt));
      throw new TooManySignInAttempts(Math.max(1, Math.ceil((endsAt - now) / 1000)));
    }
    this.attempts.hit(addr, now);
    this.failures.hit(user, now);
  }

  /** A correct password: the username's failures are forgotten. */
  succeeded(username: string): void {
    this.failures.reset(usernameKey(username));
  }

  private over(w: Window | undefined, limit: number): Window | undefined {
    return w && w.count >= limit ? w : undefined;
  }
}

function usernameKey(username: string): string {
  return username.trim().toLowerCase();
}

/**
 * IPv4 addresses (also IPv4-mapped IPv6) count one by one; IPv6 addresses by their /64 network, which is
 * what one client usually holds.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(':')) return address;
  const [head, tail] = address.split('%')[0].toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
