import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notices stored as a template and its parameters (src/domain/notices.ts), rendered in the reader's
 * language when read, instead of Vietnamese text fixed when written. The rows written before keep their
 * text and are shown as written: their parameters were never stored, and reading them back out of the
 * Vietnamese in a migration would freeze a copy of the templates here. Emails are rendered by the sender
 * when it sends; the outbox rows queued before keep their subject and body.
 */
export class NoticeTemplates1764163000000 implements MigrationInterface {
  name = 'NoticeTemplates1764163000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifications ADD COLUMN template text, ADD COLUMN params jsonb`);
    await q.query(`ALTER TABLE notifications ALTER COLUMN message DROP NOT NULL`);
    await q.query(
      `ALTER TABLE notifications ADD CONSTRAINT ck_notifications_text
         CHECK (message IS NOT NULL OR (template IS NOT NULL AND params IS NOT NULL))`,
    );
    await q.query(
      `ALTER TABLE email_outbox ALTER COLUMN subject DROP NOT NULL, ALTER COLUMN body DROP NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM email_outbox WHERE subject IS NULL OR body IS NULL`);
    await q.query(
      `ALTER TABLE email_outbox ALTER COLUMN subject SET NOT NULL, ALTER COLUMN body SET NOT NULL`,
    );
    await q.query(`DELETE FROM notifications WHERE message IS NULL`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT ck_notifications_text`);
    await q.query(`ALTER TABLE notifications ALTER COLUMN message SET NOT NULL`);
    await q.query(`ALTER TABLE notifications DROP COLUMN template, DROP COLUMN params`);
  }
}
