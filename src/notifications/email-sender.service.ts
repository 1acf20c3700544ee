import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { jsonLog } from '../logging/logger';
import { EmailSender } from './email-sender';
import { createSmtpMailer } from './mailer';

/** Runs the email sender in each worker process when SMTP_URL is set; several workers share the outbox. */
@Injectable()
export class EmailSenderService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private sender?: EmailSender;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    const { smtp, emailSender } = this.config;
    if (!smtp) return;
    this.sender = new EmailSender(this.dataSource, createSmtpMailer(smtp.url, smtp.from), emailSender);
    this.sender.start();
    jsonLog('info', 'email sender running', { component: 'email-sender', ...emailSender });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.sender?.stop();
  }
}
