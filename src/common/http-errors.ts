import {
  type ArgumentsHost,
  BadRequestException,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  type ValidationError,
  UnprocessableEntityException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { jsonLog } from '../logging/logger';
import { temporalUnavailable } from '../temporal/temporal-calls';
import { databaseUnavailable, RetryLaterException } from './unavailable';

/** Turns class-validator's findings into one 400 whose message names each field and its reason. */
export function validationException(errors: ValidationError[]): BadRequestException {
  const problems = flatten(errors);
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: problems.map((p) => p.reason).join('; '),
    details: problems,
  });
}

function flatten(errors: ValidationError[], prefix = ''): { field: string; reason: string }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((reason) => ({
      field,
      reason: reason.startsWith(e.property) ? reason.replace(e.property, field) : `${field}: ${reason}`,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * Every error leaves as `{ statusCode, error, message }` (docs/design.md §5). Unexpected errors are logged
 * in full and answered with a generic 500: no stack trace or SQL ever reaches a client.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  catch(thrown: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    // A dependency that is down is the client's to retry (503), not our bug (500).
    const err = databaseUnavailable(thrown) ?? temporalUnavailable(thrown, 'call') ?? thrown;
    if (err instanceof RetryLaterException) {
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      if (err !== thrown) {
        jsonLog('warn', 'dependency unavailable', {
          component: 'http',
          method: req.method,
          path: req.originalUrl,
          err: thrown,
        });
      }
    }
    if (err instanceof HttpException) {
      const status = err.getStatus();
      const body = err.getResponse();
      res
        .status(status)
        .json(
          typeof body === 'object'
            ? { statusCode: status, error: errorName(status), ...body }
            : { statusCode: status, error: errorName(status), message: body },
        );
      return;
    }
    jsonLog('error', 'unhandled error', {
      component: 'http',
      method: req.method,
      path: req.originalUrl,
      err,
      stack: err instanceof Error ? err.stack : undefined,
    });
    res.status(500).json({ statusCode: 500, error: 'Internal Server Error', message: 'internal error' });
  }
}

function errorName(status: number): string {
  const name = HttpStatus[status];
  return name
    ? name
        .toLowerCase()
        .split('_')
        .map((w) => w[0].toUpperCase() + w.slice(1))
        .join(' ')
    : 'Error';
}

/** A 422 whose message names each field and its reason, with the list itself in `details`. */
export function unprocessable(problems: { field: string; reason: string }[]): UnprocessableEntityException {
  return new UnprocessableEntityException({
    message: problems.map((p) => `${p.field} ${p.reason}`).join('; '),
    details: problems,
  });
}
