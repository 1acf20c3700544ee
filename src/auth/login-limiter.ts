import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  type NestInterceptor,
  Optional,
} from '@nestjs/common';
import type { Response } from 'express';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
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

/** What a limiter needs: a name to keep its counts apart, the limit, and the window in seconds. */
export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  duration: number;
}

/**
 * Where the counts live. In memory by default: each API process counts for itself. Any store of
 * rate-limiter-flexible takes the same options (RateLimiterPostgres, RateLimiterRedis…), so shared counts
 * are a provider of this token, e.g. `{ provide: LOGIN_LIMITER_STORE, useValue: (o) => new
 * RateLimiterPostgres({ ...o, storeClient: pool, tableName: 'login_limits' }) }`.
 */
export const LOGIN_LIMITER_STORE = Symbol('LOGIN_LIMITER_STORE');
export type LimiterStore = (options: LimiterOptions) => RateLimiterAbstract;
const inMemory: LimiterStore = (options) => new RateLimiterMemory(options);

/**
 * Sign-in throttling in fixed windows of `LOGIN_WINDOW_SECONDS` that start at a key's first hit
 * (rate-limiter-flexible): at most `LOGIN_MAX_FAILURES` failed sign-ins per username and
 * `LOGIN_MAX_ATTEMPTS_PER_ADDRESS` attempts per client address.
 *
 * With the default store each API process counts for itself (nothing is shared between processes or
 * kept over a restart), so with N API processes behind a load balancer an attacker gets up to N times
 * the limits. The address is the TCP peer (`req.ip`; Express's `trust proxy` is off): behind a reverse
 * proxy every client shares the proxy's address and therefore one per-address budget.
 *
 * An attempt is counted as a failure for its username when it is admitted, before the password is
 * checked, and the count is cleared when it succeeds: each count is taken in one step of the store, so
 * parallel guesses cannot outrun the limit. Unknown and known usernames are counted alike, so the answers
 * reveal nothing about which exist. A refused attempt uses none of the address's budget.
 */
@Injectable()
export class LoginLimiter {
  private readonly failures: RateLimiterAbstract;
  private readonly attempts: RateLimiterAbstract;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(LOGIN_LIMITER_STORE) store: LimiterStore | null,
  ) {
    const duration = config.login.windowSeconds;
    const make = store ?? inMemory;
    this.failures = make({ keyPrefix: 'login-failures', points: config.login.maxFailures, duration });
    this.attempts = make({
      keyPrefix: 'login-attempts',
      points: config.login.maxAttemptsPerAddress,
      duration,
    });
  }

  /**
   * Admits one sign-in attempt (counting it for the address, and as a failure for the username until
   * `succeeded`), or throws `TooManySignInAttempts` when the username or the address is over its limit.
   */
  async admit(username: string, address: string | undefined): Promise<void> {
    const user = usernameKey(username);
    const addr = addressKey(address);
    const byAddress = await refusal(this.attempts.consume(addr));
    if (byAddress !== undefined) {
      // Over both: wait for the later of the two windows.
      const failures = await this.failures.get(user);
      const byUser = failures && failures.remainingPoints === 0 ? failures.msBeforeNext : 0;
      throw tooMany(Math.max(byAddress, byUser));
    }
    const byUser = await refusal(this.failures.consume(user));
    if (byUser !== undefined) {
      await this.attempts.reward(addr, 1);
      throw tooMany(byUser);
    }
  }

  /** A correct password: the username's failures are forgotten. */
  async succeeded(username: string): Promise<void> {
    await this.failures.delete(usernameKey(username));
  }
}

/** The ms until the window ends when the store refused the hit; a store's own failure is thrown. */
async function refusal(hit: Promise<RateLimiterRes>): Promise<number | undefined> {
  try {
    await hit;
    return undefined;
  } catch (res) {
    if (res instanceof RateLimiterRes) return res.msBeforeNext;
    throw res;
  }
}

function tooMany(ms: number): TooManySignInAttempts {
  return new TooManySignInAttempts(Math.max(1, Math.ceil(ms / 1000)));
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
