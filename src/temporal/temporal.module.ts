import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Client } from '@temporalio/client';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { connectClient } from './connection-options';
import { TemporalCalls } from './temporal-calls';
import { TemporalWorkerService } from './temporal-worker.service';

/** Closes the client's connection when the application stops. */
@Injectable()
class ClientCloser implements OnApplicationShutdown {
  constructor(
    @Inject(Client) private readonly client: Client,
    private readonly calls: TemporalCalls,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    await this.calls.settle();
    await this.client.connection.close();
  }
}

@Module({})
export class TemporalModule {
  /** The client, always; the worker only in processes that run one (`npm start`, `start:worker`). */
  static forRoot(opts: { worker: boolean }): DynamicModule {
    return {
      module: TemporalModule,
      global: true,
      providers: [
        {
          provide: Client,
          inject: [APP_CONFIG],
          useFactory: async (config: AppConfig) =>
            new Client({
              connection: await connectClient(config.temporal),
              namespace: config.temporal.namespace,
            }),
        },
        TemporalCalls,
        ClientCloser,
        ...(opts.worker ? [TemporalWorkerService] : []),
      ],
      exports: [Client, TemporalCalls],
    };
  }
}
