import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The emails a step must send, written in the step's own transaction and delivered later by the worker's
 * email sender, so that an SMTP outage delays emails only and never a decision, a reminder or a cut-off.
 */
export class EmailOutbox1764120000000 implements MigrationInterface {
  name = 'EmailOutbox1764120000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE email_outbox (
         id bigserial PRIMARY KEY,
         notification_id bigint NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
         nomination_id uuid,
         campaign_id uuid,
         workflow_id text NOT NULL,
         seq int NOT NULL,
         to_address text NOT NULL,
         subject text NOT NULL,
         body text NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now(),
         attempts int NOT NULL DEFAULT 0,
         next_attempt_at timestamptz NOT NULL DEFAULT now(),
         last_error text,
         sent_at timestamptz
       )`,
    );
    // One email per notification and address: a retried projection (or a replayed one) queues nothing twice.
    await q.query(
      `CREATE UNIQUE INDEX uq_email_outbox_notification_to ON email_outbox (notification_id, to_address)`,
    );
    // The sender's "due" query: unsent rows by the time they may be tried; sent rows leave the index.
    await q.query(`CREATE INDEX ix_email_outbox_due ON email_outbox (next_attempt_at) WHERE sent_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE email_outbox`);
  }
}
