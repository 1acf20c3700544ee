import { ServiceUnavailableException } from '@nestjs/common';

/** A 503 that tells the client when to try again (sent as `Retry-After`, in seconds). */
export class RetryLaterException extends ServiceUnavailableException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Node's socket errors: the server is not there (or went away) before or during the query. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
]);
/** admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections. */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
/** pg and pg-pool say these in words only, without a code. */
const MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /^Connection terminated/i,
  /Client has encountered a connection error/i,
];

/**
 * PostgreSQL unreachable, restarting or out of connections: a 503 to retry, not a 500. Driver errors
 * arrive bare, wrapped by TypeORM (`driverError`), or as an AggregateError of one per address tried.
 */
export function databaseUnavailable(err: unknown): RetryLaterException | undefined {
  const seen = new Set<unknown>();
  const visit = (e: unknown): boolean => {
    if (!e || typeof e !== 'object' || seen.has(e)) return false;
    seen.add(e);
    const { code, message, driverError, cause, errors } = e as Record<string, unknown>;
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || SERVER_CODES.has(code) || /^08/.test(code)))
      return true;
    if (typeof message === 'string' && MESSAGES.some((m) => m.test(message))) return true;
    return [driverError, cause, ...(Array.isArray(errors) ? errors : [])].some(visit);
  };
  if (!visit(err)) return undefined;
  return new RetryLaterException(
    'the database is unavailable; send the request again later',
    DATABASE_RETRY_AFTER_SECONDS,
  );
}
