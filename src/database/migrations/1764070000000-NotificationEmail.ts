import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Email delivery of notifications: where to send them, and which ones were sent. */
export class NotificationEmail1764070000000 implements MigrationInterface {
  name = 'NotificationEmail1764070000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN email text`);
    await q.query(`ALTER TABLE notifications ADD COLUMN emailed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifications DROP COLUMN emailed_at`);
    await q.query(`ALTER TABLE users DROP COLUMN email`);
  }
}
