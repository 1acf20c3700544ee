import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheckService,
  type HealthCheckResult,
  type HealthIndicatorResult,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/public.decorator';
import { TemporalHealthIndicator } from './temporal.health';

type Check = { ok: true } | { ok: false; error: string };

const CHECK_TIMEOUT_MS = 3000;
const RETRY_AFTER_SECONDS = 5;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly temporal: TemporalHealthIndicator,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /*
   * Terminus runs the checks; the answer keeps the shape this endpoint has always had
   * (`{ status, postgres: { ok }, temporal: { ok } }`, 503 with Retry-After) so probes and operators
   * reading it need not change.
   */
  @Public()
  @Get()
  @ApiOkResponse({ description: 'PostgreSQL and Temporal answer' })
  @ApiServiceUnavailableResponse({ description: 'One of them does not; the body says which' })
  async check(@Res({ passthrough: true }) res: Response) {
    const result = await this.health
      .check([
        () => this.postgres.pingCheck('postgres', { connection: this.dataSource, timeout: CHECK_TIMEOUT_MS }),
        () => this.temporal.isHealthy('temporal', CHECK_TIMEOUT_MS),
      ])
      .catch((err: unknown): HealthCheckResult => {
        if (err instanceof ServiceUnavailableException) return err.getResponse() as HealthCheckResult;
        throw err;
      });
    const ok = result.status === 'ok';
    res.status(ok ? 200 : 503);
    if (!ok) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    return {
      status: ok ? 'ok' : 'unavailable',
      postgres: asCheck(result.details.postgres),
      temporal: asCheck(result.details.temporal),
    };
  }
}

function asCheck(detail: HealthIndicatorResult[string] | undefined): Check {
  if (detail?.status === 'up') return { ok: true };
  const message = (detail as { message?: unknown } | undefined)?.message;
  return { ok: false, error: typeof message === 'string' ? message : 'does not answer' };
}
