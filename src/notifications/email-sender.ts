import type { DataSource } from 'typeorm';
import type { EmailSenderConfig } from '../config/config';
import { emailSubject, noticeText } from '../domain/notices';
import { DEFAULT_LANG } from '../domain/vocabulary';
import { jsonLog } from '../logging/logger';
import type { Mailer } from './mailer';
import { NotificationsRepository, type OutboxEmail } from './notifications.repository';

/**
 * How long a claimed email is left to its sender before another round may take it, by default
 * (`EMAIL_CLAIM_MS`): longer than one send can last with the mailer's timeouts (about 35 s), so only a
 * sender that died gives its emails away.
 */
export const EMAIL_CLAIM_MS = 120_000;

export interface RoundResult {
  claimed: number;
  sent: number;
  failed: number;
}

/** The wait after the `attempts`-th failed attempt: retryMinMs, doubling each time, capped at retryMaxMs. */
export function retryDelayMs(attempts: number, config: Pick<EmailSenderConfig, 'retryMinMs' | 'retryMaxMs'>) {
  const doublings = Math.min(Math.max(attempts - 1, 0), 40);
  return Math.min(config.retryMaxMs, config.retryMinMs * 2 ** doublings);
}

/**
 * Delivers the email outbox, at least once, in rounds: claim the due emails in one short statement
 * (`FOR UPDATE SKIP LOCKED`, so concurrent senders in other workers take different rows; the claim moves
 * the row's next attempt past EMAIL_CLAIM_MS), send them with no transaction open, then mark each sent or
 * put it back with an exponential backoff and its error. A sender that dies after sending and before
 * marking leaves the email to be sent again once its claim lapses: at least once, not exactly once.
 */
export class EmailSender {
  private loop?: Promise<void>;
  private stopping = false;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;
  private readonly repo: NotificationsRepository;

  constructor(
    private readonly dataSource: DataSource,
    private readonly mailer: Mailer,
    private readonly config: EmailSenderConfig,
  ) {
    this.repo = new NotificationsRepository(dataSource);
  }

  /** One round: what it claimed, sent and failed to send. */
  async runRound(): Promise<RoundResult> {
    const claimed = await this.repo.claimDueEmails(this.config.batchSize, this.config.claimMs);
    const outcomes = await Promise.all(claimed.map((e) => this.deliver(e)));
    const sent = outcomes.filter(Boolean).length;
    return { claimed: claimed.length, sent, failed: claimed.length - sent };
  }

  /** Runs rounds until stop(): at once after a full batch, else after the poll interval. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Lets the round in progress finish (its sends and their marks), then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let full = false;
      try {
        full = (await this.runRound()).claimed === this.config.batchSize;
      } catch (err) {
        // PostgreSQL unreachable, most likely: the emails wait in the outbox; try again next round.
        jsonLog('warn', 'email outbox round failed', { component: 'email-sender', err });
      }
      if (!full && !this.stopping) await this.pause(this.config.pollIntervalMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  private async deliver(e: OutboxEmail): Promise<boolean> {
    const about = {
      component: 'email-sender',
      nominationId: e.nomination_id ?? undefined,
      campaignId: e.campaign_id ?? undefined,
      workflowId: e.workflow_id,
      seq: e.seq,
      notificationId: e.notification_id,
      outboxId: e.id,
      attempts: e.attempts,
    };
    try {
      await this.mailer.send({
        to: e.to_address,
        // Rendered now, in Vietnamese (the users' language), from what the notification says.
        subject: e.subject ?? emailSubject(e.kind, e.about, DEFAULT_LANG),
        text: e.body ?? noticeText(e, DEFAULT_LANG),
        outboxId: e.id,
        notificationId: e.notification_id,
      });
    } catch (err) {
      const retryInMs = retryDelayMs(e.attempts, this.config);
      jsonLog('warn', 'email not sent; will retry', { ...about, retryInMs, err });
      await this.markFailed(e, retryInMs, err).catch((markErr: unknown) =>
        jsonLog('warn', 'could not record a failed email; its claim will lapse', { ...about, err: markErr }),
      );
      return false;
    }
    try {
      await this.markSent(e);
      jsonLog('info', 'email sent', about);
    } catch (err) {
      jsonLog('warn', 'email sent but not marked; it will be sent again', { ...about, err });
    }
    return true;
  }

  /** Back to the queue after the backoff, unless another sender has claimed it since (its claim lapsed). */
  private async markFailed(e: OutboxEmail, retryInMs: number, err: unknown): Promise<void> {
    const code = (err as { responseCode?: number }).responseCode;
    const message = err instanceof Error ? err.message : String(err);
    await this.repo.emailFailed(e, retryInMs, (code ? `${code} ` : '') + message.slice(0, 1000));
  }

  /**
   * Marks the email sent and, once none of its notification's emails is left, the notification emailed.
   * The notification row is locked first, so two senders marking its last two emails do not both miss it.
   */
  private async markSent(e: OutboxEmail): Promise<void> {
    await this.repo.emailSent(e);
  }
}
