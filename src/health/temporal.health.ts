import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { TemporalCalls } from '../temporal/temporal-calls';

/** Temporal answers when its frontend returns the system info within the health check's deadline. */
@Injectable()
export class TemporalHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly temporal: TemporalCalls,
  ) {}

  async isHealthy<Key extends string>(key: Key, timeoutMs: number) {
    const check = this.indicators.check(key);
    try {
      // Through TemporalCalls: a probe given up on is awaited before the connection closes.
      await this.temporal.run('call', (client) => client.workflowService.getSystemInfo({}), timeoutMs);
      return check.up();
    } catch (err) {
      return check.down({ message: err instanceof Error ? err.message : String(err) });
    }
  }
}
