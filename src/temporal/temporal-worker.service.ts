import { Inject, Injectable, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { DataSource } from 'typeorm';
import { createActivities } from '../../activities';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { jsonLog } from '../logging/logger';
import { createSmtpMailer } from '../notifications/mailer';
import { connectionOptions } from './connection-options';
import { workflowSource } from './worker-options';

/** Runs the Temporal worker inside the Nest application, with activities bound to Nest's DataSource. */
@Injectable()
export class TemporalWorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private connection?: NativeConnection;
  private worker?: Worker;
  private running?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly client: Client,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { smtp } = this.config;
    const mailer = smtp ? createSmtpMailer(smtp.url, smtp.from) : undefined;
    this.connection = await NativeConnection.connect(connectionOptions(this.config.temporal));
    const source = workflowSource();
    const creating = Date.now();
    this.worker = await Worker.create({
      connection: this.connection,
      namespace: this.config.temporal.namespace,
      taskQueue: this.config.temporal.taskQueue,
      ...source,
      activities: createActivities(this.dataSource, { mailer, client: this.client }),
    });
    this.running = this.worker.run();
    this.running.catch((err: unknown) => {
      // A worker that stopped by itself leaves nominations unserved: stop the process so a supervisor restarts it.
      jsonLog('error', 'temporal worker failed; shutting down', { component: 'worker', err });
      process.kill(process.pid, 'SIGTERM');
    });
    jsonLog('info', 'temporal worker running', {
      component: 'worker',
      taskQueue: this.config.temporal.taskQueue,
      workflows: 'workflowBundle' in source ? 'prebuilt bundle' : 'bundled at start',
      createMs: Date.now() - creating,
      // Never the URL itself: it may carry the SMTP password.
      email: smtp ? `smtp ${new URL(smtp.url).host}` : 'off (SMTP_URL unset)',
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.worker && this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running?.catch(() => undefined);
    await this.connection?.close();
  }
}
