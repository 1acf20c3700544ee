import { Module } from '@nestjs/common';
import { EmailSenderService } from './email-sender.service';

/** The worker's side of email: delivering the outbox (the API only reads notifications). */
@Module({ providers: [EmailSenderService] })
export class EmailSenderModule {}
