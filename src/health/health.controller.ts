import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/public.decorator';
import { TemporalCalls } from '../temporal/temporal-calls';

type Check = { ok: true } | { ok: false; error: string };

const CHECK_TIMEOUT_MS = 3000;
const RETRY_AFTER_SECONDS = 5;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly temporal: TemporalCalls,
  ) {}

  @Public()
  @Get()
  @ApiOkResponse({ description: 'PostgreSQL and Temporal answer' })
  @ApiServiceUnavailableResponse({ description: 'One of them does not; the body says which' })
  async health(@Res({ passthrough: true }) res: Response) {
    const [postgres, temporal] = await Promise.all([
      check(() => this.dataSource.query('SELECT 1')),
      // Through TemporalCalls: a probe given up on is awaited before the connection closes.
      check(() =>
        this.temporal.run('call', (client) => client.workflowService.getSystemInfo({}), CHECK_TIMEOUT_MS),
      ),
    ]);
    const ok = postgres.ok && temporal.ok;
    res.status(ok ? 200 : 503);
    if (!ok) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    return { status: ok ? 'ok' : 'unavailable', postgres, temporal };
  }
}

async function check(probe: () => Promise<unknown>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise(
        (_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS)),
      ),
    ]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}
